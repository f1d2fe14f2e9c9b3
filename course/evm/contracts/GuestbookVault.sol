// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Guestbook: the code that GuestbookVault borrows for its guestbook.
/// @notice A library contract: the vault runs this code with `delegatecall`, on its own storage.
contract Guestbook {
    address public lastVisitor;
    uint256 public visits;

    event Signed(address indexed visitor, uint256 visits);

    function signGuestbook() external {
        lastVisitor = msg.sender;
        visits += 1;
        emit Signed(msg.sender, visits);
    }
}

/// @title GuestbookVault: a vault with a guestbook (level 5 of notebook 08: become the owner).
/// @notice The deployer is the owner and the only one who may withdraw. Every call the vault
/// does not know itself is forwarded to the guestbook's code, which runs on the vault's storage.
contract GuestbookVault {
    address public owner;
    uint256 public visits;
    address public guestbook;

    constructor(address guestbook_) payable {
        owner = msg.sender;
        guestbook = guestbook_;
    }

    receive() external payable {}

    function withdrawAll() external {
        require(msg.sender == owner, "GuestbookVault: caller is not the owner");
        (bool ok, ) = owner.call{value: address(this).balance}("");
        require(ok, "GuestbookVault: transfer failed");
    }

    fallback() external payable {
        (bool ok, ) = guestbook.delegatecall(msg.data);
        require(ok, "GuestbookVault: guestbook call failed");
    }
}
