// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title JobEscrow: pay for a GPU job unless a challenge proves its result wrong.
/// @notice How a job goes:
///   1. A requester posts a job: the hash of its spec, a deadline, and the payment in ETH,
///      which the contract holds (`postJob`).
///   2. A provider has deposited a stake (`depositStake`). The requester assigns the job to
///      them, and COLLATERAL_PERCENT of the payment is locked out of that stake (`assign`).
///   3. Before the deadline the provider submits a COMMITMENT to its whole output: the root of
///      a keccak-256 Merkle tree over the output's rows, and the number of rows
///      (`submitResult`). A dispute window of `windowBlocks` blocks opens.
///   4. No challenge in the window: anyone may `settle`, and the payment goes to the provider.
///      A result submitted on time cannot be refunded: only a challenge can stop its payment.
///   5. A challenge: within the window the requester (who received the output off chain and
///      can recompute any row) names ONE row it says is wrong and posts a bond of
///      BOND_PERCENT of the payment (`challenge`). The provider must then, within the window,
///      open that row: its bytes and a Merkle proof that the contract checks against the
///      committed root (`openRow`). A provider that cannot open it loses: after the window,
///      `settle` slashes its collateral.
///   6. An opened row is judged by a quorum of verifiers, `quorum` of the `verifiers` named at
///      deployment, who recompute that one row from the spec (`vote`). `quorum` votes "wrong":
///      the provider is slashed. `quorum` votes "right": the provider is paid and takes the
///      challenger's bond. No quorum within the window: the result stands (the provider is
///      paid) and the bond goes back to the challenger, since nothing was proven either way.
///   7. A job with no result by its deadline is refunded to the requester (`refund`); any
///      collateral is unlocked: a late result is not proof of cheating.
/// Slashed: the requester gets its payment back, its bond back, and the provider's collateral.
/// Verdicts credit `owedTo`; everyone takes what it is owed with `withdraw`.
///
/// @dev Trust that remains (taught in notebook 16): a verifier key alone decides nothing
/// (quorum >= 2 and more than half of the verifiers, so the two verdicts cannot both reach a
/// quorum); but `quorum` colluding verifiers can slash an honest provider whose row was
/// challenged, and `verifiers.length - quorum + 1` silent or colluding ones can let a wrong
/// row stand. The opening itself needs no trust: the Merkle proof is checked on chain.
///
/// @dev Funds are conserved. At every moment the contract's balance equals
/// `accountedBalance()`: the payments of unsettled jobs, the bonds of open challenges, every
/// provider's stake, and what is owed to people. A verdict sends no ETH: it credits `owedTo`,
/// and each person takes its money with `withdraw` (pull, not push), so a recipient that
/// refuses ETH cannot block anyone else's verdict. Only `withdraw` and `withdrawStake` send
/// ETH, each after all its bookkeeping (checks-effects-interactions). ETH sent without calling
/// a function is refused.
contract JobEscrow {
    /// @notice Where a job is in its life. `None` is the zero value: no job has that id.
    enum State { None, Open, Assigned, Submitted, Challenged, Opened, Paid, Slashed, Refunded }

    struct Job {
        address requester;
        address provider;     // zero until the job is assigned
        State state;          // one byte: shares a storage slot with `provider`
        uint256 payment;      // wei the requester locked
        uint256 collateral;   // wei of the provider's stake locked for this job
        uint256 deadline;     // the last block at which a result may be submitted
        bytes32 specHash;     // hash of the job spec (what to run); the spec itself is off-chain
        bytes32 resultRoot;   // Merkle root over the output's rows; zero until submitted
        uint256 rows;         // how many rows the root commits to
        uint256 windowEnd;    // the last block of the current window (dispute, opening, votes)
        uint256 bond;         // the challenger's bond while a challenge is open
        uint256 challengedRow;
        bytes32 openedLeaf;   // keccak256(row index, row bytes) once the row is opened
        uint256 votesWrong;
        uint256 votesRight;
    }

    /// @notice The share of the payment that a provider must lock as collateral, in percent.
    uint256 public constant COLLATERAL_PERCENT = 50;
    /// @notice The share of the payment that a challenge must post as a bond, in percent.
    uint256 public constant BOND_PERCENT = 10;
    /// @notice The smallest payment: 100 wei, so that every bond is at least 10 wei.
    uint256 public constant MIN_PAYMENT = 100;
    /// @notice The longest deadline a job may have: about 139 days of 12-second blocks.
    uint256 public constant MAX_DEADLINE_BLOCKS = 1_000_000;
    /// @notice The most rows a result may commit to (a proof is at most 32 hashes).
    uint256 public constant MAX_ROWS = 2 ** 32;

    /// @notice Blocks in each window: to challenge, to open the row, to vote.
    uint256 public immutable windowBlocks;
    /// @notice Votes needed for a verdict on an opened row.
    uint256 public immutable quorum;
    address[] public verifiers;
    mapping(address => bool) public isVerifier;

    /// @notice Jobs are numbered 1, 2, 3...; `jobCount` is the last id given out.
    uint256 public jobCount;
    mapping(uint256 => Job) internal _jobs;
    /// @notice Whether a verifier has voted on a job's opened row.
    mapping(uint256 => mapping(address => bool)) public hasVoted;

    /// @notice A provider's whole stake, locked or not.
    mapping(address => uint256) public stakeOf;
    /// @notice The part of a provider's stake locked as collateral for unsettled jobs.
    mapping(address => uint256) public lockedStakeOf;

    uint256 public totalStake;         // the sum of stakeOf over every provider
    uint256 public totalOpenPayments;  // the sum of payments of jobs not yet settled
    uint256 public totalBonds;         // the sum of bonds of open challenges
    /// @notice Wei that verdicts and refunds credited to each person, not yet withdrawn.
    mapping(address => uint256) public owedTo;
    uint256 public totalOwed;          // the sum of owedTo over everyone

    event JobPosted(uint256 indexed jobId, address indexed requester, uint256 payment,
                    bytes32 specHash, uint256 deadline);
    event StakeDeposited(address indexed provider, uint256 amount, uint256 stake);
    event StakeWithdrawn(address indexed provider, uint256 amount, uint256 stake);
    event JobAssigned(uint256 indexed jobId, address indexed provider, uint256 collateral);
    event ResultSubmitted(uint256 indexed jobId, address indexed provider, bytes32 resultRoot,
                          uint256 rows, uint256 windowEnd);
    event Challenged(uint256 indexed jobId, address indexed challenger, uint256 row,
                     uint256 bond, uint256 windowEnd);
    event RowOpened(uint256 indexed jobId, uint256 row, bytes data, uint256 windowEnd);
    event Voted(uint256 indexed jobId, address indexed verifier, bool rowIsRight);
    event JobPaid(uint256 indexed jobId, address indexed provider, uint256 payment,
                  uint256 bondTaken);
    event JobSlashed(uint256 indexed jobId, address indexed provider, uint256 collateral);
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 payment);
    event Withdrawn(address indexed to, uint256 amount);

    constructor(address[] memory verifiers_, uint256 quorum_, uint256 windowBlocks_) {
        require(quorum_ >= 2, "JobEscrow: quorum must be at least 2 (no single key decides)");
        require(2 * quorum_ > verifiers_.length && quorum_ <= verifiers_.length,
                "JobEscrow: quorum must be more than half of the verifiers, and at most all");
        require(windowBlocks_ > 0 && windowBlocks_ <= MAX_DEADLINE_BLOCKS,
                "JobEscrow: window must be 1 to MAX_DEADLINE_BLOCKS blocks");
        for (uint256 i = 0; i < verifiers_.length; i++) {
            address v = verifiers_[i];
            require(v != address(0), "JobEscrow: verifier is the zero address");
            require(!isVerifier[v], "JobEscrow: verifier named twice");
            isVerifier[v] = true;
        }
        verifiers = verifiers_;
        quorum = quorum_;
        windowBlocks = windowBlocks_;
    }

    // ---- providers: stake ----

    /// @notice Add the ETH sent to your stake. Assignments lock part of it as collateral.
    function depositStake() external payable {
        require(msg.value > 0, "JobEscrow: stake required");
        stakeOf[msg.sender] += msg.value;
        totalStake += msg.value;
        emit StakeDeposited(msg.sender, msg.value, stakeOf[msg.sender]);
    }

    /// @notice Take back `amount` wei of your stake; collateral of unsettled jobs stays locked.
    function withdrawStake(uint256 amount) external {
        // checks
        require(amount > 0, "JobEscrow: amount must be positive");
        require(amount <= unlockedStakeOf(msg.sender), "JobEscrow: amount exceeds unlocked stake");
        // effects
        stakeOf[msg.sender] -= amount;
        totalStake -= amount;
        emit StakeWithdrawn(msg.sender, amount, stakeOf[msg.sender]);
        // interaction
        _send(msg.sender, amount);
    }

    /// @notice Take everything the verdicts and refunds credited to you.
    function withdraw() external {
        uint256 amount = owedTo[msg.sender];
        require(amount > 0, "JobEscrow: nothing owed");
        owedTo[msg.sender] = 0;
        totalOwed -= amount;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice The part of `provider`'s stake that is free to withdraw or to lock for a new job.
    function unlockedStakeOf(address provider) public view returns (uint256) {
        return stakeOf[provider] - lockedStakeOf[provider];
    }

    /// @notice Everything about job `jobId` (a zero struct if there is none).
    function jobs(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    function verifierCount() external view returns (uint256) {
        return verifiers.length;
    }

    // ---- the life of a job ----

    /// @notice Post a job paying the ETH sent; a result is due within `deadlineBlocks` blocks.
    /// @return jobId the new job's id, also in the JobPosted event.
    function postJob(bytes32 specHash, uint256 deadlineBlocks)
        external payable returns (uint256 jobId)
    {
        require(msg.value >= MIN_PAYMENT, "JobEscrow: payment below MIN_PAYMENT");
        require(deadlineBlocks > 0, "JobEscrow: deadline must be at least one block away");
        require(deadlineBlocks <= MAX_DEADLINE_BLOCKS, "JobEscrow: deadline too far away");
        jobId = ++jobCount;
        Job storage job = _jobs[jobId];
        job.requester = msg.sender;
        job.state = State.Open;
        job.payment = msg.value;
        job.deadline = block.number + deadlineBlocks;
        job.specHash = specHash;
        totalOpenPayments += msg.value;
        emit JobPosted(jobId, msg.sender, msg.value, specHash, job.deadline);
    }

    /// @notice The requester gives an open job to `provider`, locking collateral from their stake.
    function assign(uint256 jobId, address provider) external {
        Job storage job = _existing(jobId);
        require(msg.sender == job.requester, "JobEscrow: only the requester");
        require(job.state == State.Open, "JobEscrow: job not open");
        require(block.number <= job.deadline, "JobEscrow: deadline passed");
        require(provider != address(0), "JobEscrow: provider is the zero address");
        uint256 collateral = job.payment * COLLATERAL_PERCENT / 100;
        require(unlockedStakeOf(provider) >= collateral, "JobEscrow: provider stake too low");
        job.provider = provider;
        job.collateral = collateral;
        job.state = State.Assigned;
        lockedStakeOf[provider] += collateral;
        emit JobAssigned(jobId, provider, collateral);
    }

    /// @notice The assigned provider commits to its output: a Merkle root over `rows` rows.
    function submitResult(uint256 jobId, bytes32 resultRoot, uint256 rows) external {
        Job storage job = _existing(jobId);
        require(msg.sender == job.provider, "JobEscrow: only the assigned provider");
        require(job.state == State.Assigned, "JobEscrow: job not assigned");
        require(block.number <= job.deadline, "JobEscrow: deadline passed");
        require(resultRoot != bytes32(0), "JobEscrow: result root is empty");
        require(rows > 0 && rows <= MAX_ROWS, "JobEscrow: rows must be 1 to MAX_ROWS");
        job.resultRoot = resultRoot;
        job.rows = rows;
        job.state = State.Submitted;
        job.windowEnd = block.number + windowBlocks;
        emit ResultSubmitted(jobId, msg.sender, resultRoot, rows, job.windowEnd);
    }

    /// @notice The requester disputes one row of a submitted result, posting the bond.
    function challenge(uint256 jobId, uint256 row) external payable {
        Job storage job = _existing(jobId);
        require(msg.sender == job.requester, "JobEscrow: only the requester");
        require(job.state == State.Submitted, "JobEscrow: no unchallenged result");
        require(block.number <= job.windowEnd, "JobEscrow: dispute window closed");
        require(row < job.rows, "JobEscrow: no such row");
        require(msg.value == bondFor(jobId), "JobEscrow: bond must be BOND_PERCENT of the payment");
        job.state = State.Challenged;
        job.bond = msg.value;
        job.challengedRow = row;
        job.windowEnd = block.number + windowBlocks;
        totalBonds += msg.value;
        emit Challenged(jobId, msg.sender, row, msg.value, job.windowEnd);
    }

    /// @notice The provider opens the challenged row: its bytes, and the sibling hashes from
    /// its leaf up to the root. The contract recomputes the root; a wrong proof reverts.
    function openRow(uint256 jobId, bytes calldata data, bytes32[] calldata proof) external {
        Job storage job = _existing(jobId);
        require(msg.sender == job.provider, "JobEscrow: only the assigned provider");
        require(job.state == State.Challenged, "JobEscrow: no challenge to answer");
        require(block.number <= job.windowEnd, "JobEscrow: opening window closed");
        bytes32 leaf = leafHash(job.challengedRow, data);
        require(merkleRoot(leaf, job.challengedRow, job.rows, proof) == job.resultRoot,
                "JobEscrow: proof does not match the committed root");
        job.state = State.Opened;
        job.openedLeaf = leaf;
        job.windowEnd = block.number + windowBlocks;
        emit RowOpened(jobId, job.challengedRow, data, job.windowEnd);
    }

    /// @notice A verifier says whether the opened row is what the spec computes. The first
    /// side to reach `quorum` votes settles the job.
    function vote(uint256 jobId, bool rowIsRight) external {
        Job storage job = _existing(jobId);
        require(isVerifier[msg.sender], "JobEscrow: only a verifier");
        require(job.state == State.Opened, "JobEscrow: no opened row to judge");
        require(block.number <= job.windowEnd, "JobEscrow: voting window closed");
        require(!hasVoted[jobId][msg.sender], "JobEscrow: already voted");
        hasVoted[jobId][msg.sender] = true;
        emit Voted(jobId, msg.sender, rowIsRight);
        if (rowIsRight) {
            job.votesRight += 1;
            if (job.votesRight >= quorum) _pay(jobId, job, true);   // the challenger was wrong
        } else {
            job.votesWrong += 1;
            if (job.votesWrong >= quorum) _slash(jobId, job);
        }
    }

    /// @notice After a window closes, anyone settles the job by what happened in it:
    /// no challenge -> paid; a challenge never answered -> slashed; an opened row without a
    /// quorum -> paid, and the bond goes back to the challenger.
    function settle(uint256 jobId) external {
        Job storage job = _existing(jobId);
        require(job.state == State.Submitted || job.state == State.Challenged
                || job.state == State.Opened, "JobEscrow: nothing to settle");
        require(block.number > job.windowEnd, "JobEscrow: window still open");
        if (job.state == State.Challenged) {
            _slash(jobId, job);
        } else {
            _pay(jobId, job, false);
        }
    }

    /// @notice After the deadline, a job with no result goes back to the requester. Any
    /// collateral is unlocked: missing the deadline costs the provider the payment only.
    function refund(uint256 jobId) external {
        Job storage job = _existing(jobId);
        require(msg.sender == job.requester, "JobEscrow: only the requester");
        require(job.state == State.Open || job.state == State.Assigned,
                job.state == State.Submitted || job.state == State.Challenged
                || job.state == State.Opened
                    ? "JobEscrow: a result was submitted on time"
                    : "JobEscrow: job already settled");
        require(block.number > job.deadline, "JobEscrow: deadline not reached");
        job.state = State.Refunded;
        totalOpenPayments -= job.payment;
        if (job.provider != address(0)) {
            lockedStakeOf[job.provider] -= job.collateral;
        }
        _credit(job.requester, job.payment);
        emit JobRefunded(jobId, msg.sender, job.payment);
    }

    // ---- the proof ----

    /// @notice The bond a challenge of `jobId` must post.
    function bondFor(uint256 jobId) public view returns (uint256) {
        return _jobs[jobId].payment * BOND_PERCENT / 100;
    }

    /// @notice A leaf: keccak-256 of the row's index (32 bytes, big-endian) and its bytes.
    function leafHash(uint256 row, bytes calldata data) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(row, data));
    }

    /// @notice The root that `leaf`, at position `index` of a tree of `rows` leaves, and the
    /// siblings in `proof` lead to. Each parent is keccak256(left ++ right); a level with an
    /// odd number of nodes pairs its last node with itself (notebook 01's rule). The position
    /// fixes left and right, so a proof for one row cannot open another.
    function merkleRoot(bytes32 leaf, uint256 index, uint256 rows, bytes32[] calldata proof)
        public pure returns (bytes32 node)
    {
        require(rows > 0 && index < rows, "JobEscrow: no such row");
        node = leaf;
        uint256 width = rows;
        uint256 depth = 0;
        while (width > 1) {
            require(depth < proof.length, "JobEscrow: proof too short");
            bytes32 sibling = proof[depth];
            if (index % 2 == 1) {
                node = keccak256(abi.encodePacked(sibling, node));
            } else {
                if (index == width - 1) {
                    require(sibling == node, "JobEscrow: an odd last node pairs with itself");
                }
                node = keccak256(abi.encodePacked(node, sibling));
            }
            index /= 2;
            width = (width + 1) / 2;
            depth += 1;
        }
        require(depth == proof.length, "JobEscrow: proof too long");
    }

    // ---- bookkeeping ----

    /// @notice What the contract should hold: unsettled payments, open bonds, every stake and
    /// everything owed.
    /// Equal to its balance at all times; only ETH forced in without a call (another contract's
    /// selfdestruct, or a block's fees paid to this address) could make the balance larger.
    function accountedBalance() external view returns (uint256) {
        return totalOpenPayments + totalBonds + totalStake + totalOwed;
    }

    /// @dev The provider is owed the payment; the bond goes to the provider if the quorum
    /// found the challenge wrong, else back to the requester.
    function _pay(uint256 jobId, Job storage job, bool bondToProvider) internal {
        uint256 bond = job.bond;
        job.state = State.Paid;
        job.bond = 0;
        totalOpenPayments -= job.payment;
        totalBonds -= bond;
        lockedStakeOf[job.provider] -= job.collateral;
        _credit(job.provider, job.payment + (bondToProvider ? bond : 0));
        if (!bondToProvider) _credit(job.requester, bond);
        emit JobPaid(jobId, job.provider, job.payment, bondToProvider ? bond : 0);
    }

    /// @dev The requester gets the payment, its bond and the provider's collateral.
    function _slash(uint256 jobId, Job storage job) internal {
        uint256 bond = job.bond;
        job.state = State.Slashed;
        job.bond = 0;
        totalOpenPayments -= job.payment;
        totalBonds -= bond;
        lockedStakeOf[job.provider] -= job.collateral;
        stakeOf[job.provider] -= job.collateral;
        totalStake -= job.collateral;
        _credit(job.requester, job.payment + bond + job.collateral);
        emit JobSlashed(jobId, job.provider, job.collateral);
    }

    function _credit(address to, uint256 amount) internal {
        owedTo[to] += amount;
        totalOwed += amount;
    }

    function _existing(uint256 jobId) internal view returns (Job storage job) {
        job = _jobs[jobId];
        require(job.state != State.None, "JobEscrow: no such job");
    }

    /// @dev Send `amount` wei with a plain call, forwarding all gas, and insist it arrived.
    /// Safe only because every caller has finished its effects before calling this.
    function _send(address to, uint256 amount) internal {
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "JobEscrow: transfer failed");
    }
}
