// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title CommitReveal: GuessTheNumber in two phases, so a copied transaction is worthless.
/// @notice 1. Commit phase (until block `commitDeadline`): players send only a commitment,
///            keccak256(abi.encodePacked(number, salt, player)). It hides the number (the
///            random salt stops anyone from hashing guesses to find it) and names the player.
///         2. Reveal phase (after `commitDeadline`): players send the number and the salt;
///            the first correct reveal that matches its sender's commitment wins.
/// A bot that copies a commitment gets a hash that names someone else, so it can never
/// reveal it; a bot that copies a reveal is too late to commit anything of its own.
contract CommitReveal {
    bytes32 public immutable answerHash;     // keccak256(abi.encodePacked(number))
    uint256 public immutable commitDeadline; // the last block number of the commit phase
    mapping(address => bytes32) public commitments;
    address public winner;

    event Committed(address indexed player, bytes32 commitment);
    event Won(address indexed winner, uint256 number, uint256 prize);

    /// @dev Phases are counted in blocks, not seconds: block numbers cannot be nudged by the
    /// block producer the way timestamps can (a little).
    constructor(bytes32 answerHash_, uint256 commitBlocks) payable {
        require(msg.value > 0, "CommitReveal: the prize is zero");
        answerHash = answerHash_;
        commitDeadline = block.number + commitBlocks;
    }

    function commit(bytes32 commitment) external {
        require(block.number <= commitDeadline, "CommitReveal: the commit phase is over");
        commitments[msg.sender] = commitment;
        emit Committed(msg.sender, commitment);
    }

    function reveal(uint256 number, bytes32 salt) external {
        require(block.number > commitDeadline, "CommitReveal: still in the commit phase");
        require(winner == address(0), "CommitReveal: already solved");
        // msg.sender is part of the hash: a copied commitment does not match the copier.
        require(keccak256(abi.encodePacked(number, salt, msg.sender)) == commitments[msg.sender],
                "CommitReveal: reveal does not match your commitment");
        require(keccak256(abi.encodePacked(number)) == answerHash, "CommitReveal: wrong number");
        winner = msg.sender;
        uint256 prize = address(this).balance;
        emit Won(msg.sender, number, prize);
        (bool ok, ) = msg.sender.call{value: prize}("");
        require(ok, "CommitReveal: payout failed");
    }
}
