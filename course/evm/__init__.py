"""Smart contracts over web3.py: connect to an EVM, compile Solidity, deploy, call, measure gas.

The default EVM is in memory (web3.py's EthereumTesterProvider, backed by py-evm); a URL or
the COURSE_RPC_URL environment variable points the same code at any JSON-RPC node (anvil,
hardhat, a testnet). Notebooks deploy from committed compiled artifacts, so no compiler is
needed to follow the course; `course contracts build` recompiles them with a real solc.
Taught in notebooks 07-10 and 16.
"""
