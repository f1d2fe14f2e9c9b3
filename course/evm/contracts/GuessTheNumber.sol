// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title GuessTheNumber: a prize for the first account to send the secret number (level 4 of
/// notebook 08).
/// @notice Only the hash of the number is stored; whoever sends the number first wins.
contract GuessTheNumber {
    bytes32 public immutable answerHash;  // keccak256(abi.encodePacked(number))
    address public winner;

    event Won(address indexed winner, uint256 number, uint256 prize);

    constructor(bytes32 answerHash_) payable {
        require(msg.value > 0, "GuessTheNumber: the prize is zero");
        answerHash = answerHash_;
    }

    function guess(uint256 number) external {
        require(winner == address(0), "GuessTheNumber: already solved");
        require(keccak256(abi.encodePacked(number)) == answerHash, "GuessTheNumber: wrong number");
        winner = msg.sender;
        uint256 prize = address(this).balance;
        emit Won(msg.sender, number, prize);
        (bool ok, ) = msg.sender.call{value: prize}("");
        require(ok, "GuessTheNumber: payout failed");
    }
}
