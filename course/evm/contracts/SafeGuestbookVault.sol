// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The storage that Guestbook's code writes: every contract that delegates to it must
/// start with exactly these variables, in this order.
abstract contract GuestbookLayout {
    address public lastVisitor;
    uint256 public visits;
}

/// @title SafeGuestbookVault: GuestbookVault with the library's layout first.
/// @notice Slot 0 is `lastVisitor` here as in Guestbook, and `owner` lives in a slot the
/// library never writes. (Proxies in production go further: EIP-1967 keeps their own
/// variables at hashed slots no implementation's layout can reach.)
contract SafeGuestbookVault is GuestbookLayout {
    address public owner;
    address public guestbook;

    constructor(address guestbook_) payable {
        owner = msg.sender;
        guestbook = guestbook_;
    }

    receive() external payable {}

    function withdrawAll() external {
        require(msg.sender == owner, "SafeGuestbookVault: caller is not the owner");
        (bool ok, ) = owner.call{value: address(this).balance}("");
        require(ok, "SafeGuestbookVault: transfer failed");
    }

    fallback() external payable {
        (bool ok, ) = guestbook.delegatecall(msg.data);
        require(ok, "SafeGuestbookVault: guestbook call failed");
    }
}
