"""The mini-chain: hashing and Merkle trees, keys and signatures (with Sign-In with Ethereum and
mnemonics beside them), transactions, blocks and proof of work, ledger state, the chain itself
(validation, fork choice, reorgs), a deterministic network simulation, attack models, real
Bitcoin headers, proof of stake and its energy comparison, each in a small module of its own
that the notebooks import and read. Taught in notebooks 01-06; each module names its own.
"""
