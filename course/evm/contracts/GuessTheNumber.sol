// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title GuessTheNumber: a prize for the first account to send the secret number. The answer
/// travels in clear, so anyone watching the mempool can copy it (front-running, SWC-114).
/// @notice Only the hash of the number is stored. A solver sends `guess(number)`, and until
/// that transaction is in a block it waits in the public mempool, where every node and bot can
/// read its input. A bot copies the number into its own transaction with a higher tip; block
/// builders order by tip, so the copy runs first and takes the prize. `CommitReveal` is the fix.
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
