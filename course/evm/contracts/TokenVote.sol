// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The part of ERC-20 (EIP-20) the governor uses: CourseToken, or any other token.
interface IVotingToken {
    function totalSupply() external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title TokenVote: token-weighted governance. One token, one vote.
/// @notice Anyone proposes a call (a target contract and the calldata to send it). For
/// `votingPeriod` blocks, token holders vote for or against, each with the weight of the tokens
/// they have locked here. After the period the proposal can be executed, once, if
///   - quorum: the votes cast (for + against) reach `quorumBps` of the token's total supply, and
///   - majority: more votes for than against.
/// Then this contract makes the call itself: whatever it owns or controls, the vote controls.
///
/// Why lock tokens? If votes were weighted by `balanceOf(voter)` at the time of voting, Alice
/// could vote, send her tokens to Bob, and Bob could vote again with the *same* tokens, and so
/// on: one bag of tokens, unlimited votes. So voters first `deposit` tokens into this contract;
/// a vote locks the voter's deposit until that proposal's voting ends; `withdraw` refuses
/// while it is locked. The same tokens cannot be counted twice on one proposal.
/// Locking also defeats *flash-loan* voting (borrow tokens, vote, repay, all in one transaction:
/// how Beanstalk lost $182M in 2022): a loan must be repaid in the same transaction, and these
/// tokens stay locked for blocks. (Production governors such as OpenZeppelin's Governor count
/// balances at a past block instead, with checkpoints: same goal, no lock, more code.)
///
/// What locking does NOT fix: one token is one vote, so a holder with most of the tokens decides
/// alone. That is notebook 09's last lesson.
contract TokenVote {
    uint256 public constant BPS = 10_000; // quorum is in basis points of the total supply

    IVotingToken public immutable token;
    uint256 public immutable votingPeriod; // in blocks
    uint256 public immutable quorumBps;

    enum State { Active, Defeated, Succeeded, Executed }

    struct Proposal {
        address proposer;
        string description;
        address target;
        bytes callData;
        uint256 endBlock; // votes are accepted up to and including this block
        uint256 quorumVotes; // fixed when proposed, from the supply at that time
        uint256 forVotes;
        uint256 againstVotes;
        bool executed;
    }

    Proposal[] private _proposals;
    mapping(uint256 => mapping(address => bool)) public hasVoted; // proposal id => voter => voted
    mapping(address => uint256) public deposits; // each voter's locked-in voting weight
    mapping(address => uint256) public lockedUntil; // block until which a deposit cannot leave

    event Deposited(address indexed voter, uint256 amount);
    event Withdrawn(address indexed voter, uint256 amount);
    event ProposalCreated(uint256 indexed proposalId, address indexed proposer, address target,
        string description, uint256 endBlock);
    event VoteCast(uint256 indexed proposalId, address indexed voter, bool support, uint256 weight);
    event ProposalExecuted(uint256 indexed proposalId);

    constructor(address token_, uint256 votingPeriod_, uint256 quorumBps_) {
        require(token_.code.length > 0, "TokenVote: token is not a contract");
        require(votingPeriod_ > 0, "TokenVote: voting period must be at least 1 block");
        require(quorumBps_ > 0 && quorumBps_ <= BPS, "TokenVote: quorum must be in (0, 10000] bps");
        token = IVotingToken(token_);
        votingPeriod = votingPeriod_;
        quorumBps = quorumBps_;
    }

    // --- voting weight: deposit and withdraw ----------------------------------------------------

    /// @notice Lock `amount` tokens here as voting weight. Approve this contract first (ERC-20).
    function deposit(uint256 amount) external {
        require(amount > 0, "TokenVote: deposit must be positive");
        deposits[msg.sender] += amount;
        require(token.transferFrom(msg.sender, address(this), amount), "TokenVote: transfer failed");
        emit Deposited(msg.sender, amount);
    }

    /// @notice Take tokens back, once every proposal you voted on has finished voting.
    function withdraw(uint256 amount) external {
        require(block.number > lockedUntil[msg.sender], "TokenVote: tokens locked until voting ends");
        require(amount <= deposits[msg.sender], "TokenVote: withdraw amount exceeds deposit");
        deposits[msg.sender] -= amount; // update before the external call (no reentrancy window)
        require(token.transfer(msg.sender, amount), "TokenVote: transfer failed");
        emit Withdrawn(msg.sender, amount);
    }

    // --- proposals ------------------------------------------------------------------------------

    /// @notice Propose that this contract call `target` with `callData`; returns the proposal id.
    /// Anyone may propose here; real governors require a minimum stake, against spam.
    function propose(string calldata description, address target, bytes calldata callData)
        external
        returns (uint256 proposalId)
    {
        require(target != address(0), "TokenVote: target is the zero address");
        // The deposits are the voters' tokens: no vote may spend them.
        require(target != address(token), "TokenVote: proposals cannot call the voting token");
        proposalId = _proposals.length;
        uint256 endBlock = block.number + votingPeriod;
        _proposals.push(Proposal({
            proposer: msg.sender, description: description, target: target, callData: callData,
            endBlock: endBlock, quorumVotes: token.totalSupply() * quorumBps / BPS,
            forVotes: 0, againstVotes: 0, executed: false
        }));
        emit ProposalCreated(proposalId, msg.sender, target, description, endBlock);
    }

    /// @notice Vote with your whole deposit. Once per proposal; locks the deposit until the end.
    function vote(uint256 proposalId, bool support) external {
        Proposal storage proposal = _get(proposalId);
        require(block.number <= proposal.endBlock, "TokenVote: voting has ended");
        require(!hasVoted[proposalId][msg.sender], "TokenVote: already voted");
        uint256 weight = deposits[msg.sender];
        require(weight > 0, "TokenVote: no voting weight (deposit tokens first)");
        hasVoted[proposalId][msg.sender] = true;
        if (proposal.endBlock > lockedUntil[msg.sender]) {
            lockedUntil[msg.sender] = proposal.endBlock;
        }
        if (support) {
            proposal.forVotes += weight;
        } else {
            proposal.againstVotes += weight;
        }
        emit VoteCast(proposalId, msg.sender, support, weight);
    }

    /// @notice After voting ends: if quorum and majority were met, make the proposal's call.
    function execute(uint256 proposalId) external returns (bytes memory result) {
        Proposal storage proposal = _get(proposalId);
        require(block.number > proposal.endBlock, "TokenVote: voting has not ended");
        require(!proposal.executed, "TokenVote: already executed");
        require(proposal.forVotes + proposal.againstVotes >= proposal.quorumVotes,
            "TokenVote: quorum not reached");
        require(proposal.forVotes > proposal.againstVotes, "TokenVote: proposal was rejected");
        proposal.executed = true; // before the call: a reentrant execute finds it done
        bool ok;
        (ok, result) = proposal.target.call(proposal.callData);
        require(ok, "TokenVote: the proposal's call reverted");
        emit ProposalExecuted(proposalId);
    }

    // --- reading --------------------------------------------------------------------------------

    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    function getProposal(uint256 proposalId) external view returns (Proposal memory) {
        return _get(proposalId);
    }

    /// @notice Active while voting is open; then Defeated (no quorum or no majority),
    /// Succeeded (ready to execute) or Executed.
    function state(uint256 proposalId) external view returns (State) {
        Proposal storage proposal = _get(proposalId);
        if (proposal.executed) return State.Executed;
        if (block.number <= proposal.endBlock) return State.Active;
        bool quorum = proposal.forVotes + proposal.againstVotes >= proposal.quorumVotes;
        return quorum && proposal.forVotes > proposal.againstVotes ? State.Succeeded : State.Defeated;
    }

    function _get(uint256 proposalId) private view returns (Proposal storage) {
        require(proposalId < _proposals.length, "TokenVote: unknown proposal");
        return _proposals[proposalId];
    }
}
