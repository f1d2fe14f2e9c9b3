"""The mini-chain: hashing and Merkle trees, keys and signatures, transactions, blocks and
proof of work, ledger state, the chain itself (validation, fork choice, reorgs), a
deterministic network simulation, attack models, real Bitcoin headers and proof of stake,
each in a small module of its own that the notebooks import and read.
"""
