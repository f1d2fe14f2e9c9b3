// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title JobEscrow: pay for a GPU job only when a verifier accepts its result.
/// @notice How a job goes:
///   1. A requester posts a job: the hash of its spec, a deadline, and the payment in ETH,
///      which the contract holds (`postJob`).
///   2. A provider has deposited a stake (`depositStake`). The requester assigns the job to
///      them, and COLLATERAL_PERCENT of the payment is locked out of that stake (`assign`).
///   3. The provider runs the job and submits the hash of its result before the deadline
///      (`submitResult`).
///   4. The verifier named at deployment checks the result and either
///      - releases: the provider is paid and gets the collateral unlocked (`release`), or
///      - slashes: the result is wrong, so the requester gets the payment back AND the
///        provider's collateral, as compensation for the wasted time (`slash`).
///   5. If no verdict has come after the deadline, the requester takes the payment back
///      (`refund`); any collateral is unlocked for the provider, because only the verifier
///      can judge a provider at fault.
/// @dev Funds are conserved. At every moment the contract's balance equals
/// `accountedBalance()`: the payments of unsettled jobs plus every provider's stake. Each
/// function that sends ETH follows checks-effects-interactions: it checks, then updates all
/// its bookkeeping, and only then sends, so a recipient that calls back in finds the job
/// already settled and the stake already reduced. Nothing is burned: slashed collateral goes
/// to the requester. ETH sent without calling a function is refused (no receive function).
contract JobEscrow {
    /// @notice Where a job is in its life. `None` is the zero value: no job has that id.
    enum State { None, Open, Assigned, Submitted, Released, Slashed, Refunded }

    struct Job {
        address requester;
        address provider;    // zero until the job is assigned
        State state;         // one byte: shares a storage slot with `provider`
        uint256 payment;     // wei the requester locked
        uint256 collateral;  // wei of the provider's stake locked for this job
        uint256 deadline;    // the last block number at which a result may be submitted
        bytes32 specHash;    // hash of the job spec (what to run); the spec itself is off-chain
        bytes32 resultHash;  // hash of the result the provider claims; zero until submitted
    }

    /// @notice The share of the payment that a provider must lock as collateral, in percent.
    uint256 public constant COLLATERAL_PERCENT = 50;
    /// @notice The longest deadline a job may have: about 139 days of 12-second blocks.
    uint256 public constant MAX_DEADLINE_BLOCKS = 1_000_000;

    /// @notice The only address that may release or slash.
    address public immutable verifier;

    /// @notice Jobs are numbered 1, 2, 3...; `jobCount` is the last id given out.
    uint256 public jobCount;
    mapping(uint256 => Job) public jobs;

    /// @notice A provider's whole stake, locked or not.
    mapping(address => uint256) public stakeOf;
    /// @notice The part of a provider's stake locked as collateral for assigned jobs.
    mapping(address => uint256) public lockedStakeOf;

    uint256 public totalStake;         // the sum of stakeOf over every provider
    uint256 public totalOpenPayments;  // the sum of payments of jobs not yet settled

    event JobPosted(uint256 indexed jobId, address indexed requester, uint256 payment,
                    bytes32 specHash, uint256 deadline);
    event StakeDeposited(address indexed provider, uint256 amount, uint256 stake);
    event StakeWithdrawn(address indexed provider, uint256 amount, uint256 stake);
    event JobAssigned(uint256 indexed jobId, address indexed provider, uint256 collateral);
    event ResultSubmitted(uint256 indexed jobId, address indexed provider, bytes32 resultHash);
    event JobReleased(uint256 indexed jobId, address indexed provider, uint256 payment);
    event JobSlashed(uint256 indexed jobId, address indexed provider, uint256 collateral);
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 payment);

    constructor(address verifier_) {
        require(verifier_ != address(0), "JobEscrow: verifier is the zero address");
        verifier = verifier_;
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
        _pay(msg.sender, amount);
    }

    /// @notice The part of `provider`'s stake that is free to withdraw or to lock for a new job.
    function unlockedStakeOf(address provider) public view returns (uint256) {
        return stakeOf[provider] - lockedStakeOf[provider];
    }

    // ---- the life of a job ----

    /// @notice Post a job paying the ETH sent; a result is due within `deadlineBlocks` blocks.
    /// @return jobId the new job's id, also in the JobPosted event.
    function postJob(bytes32 specHash, uint256 deadlineBlocks)
        external payable returns (uint256 jobId)
    {
        require(msg.value > 0, "JobEscrow: payment required");
        require(deadlineBlocks > 0, "JobEscrow: deadline must be at least one block away");
        require(deadlineBlocks <= MAX_DEADLINE_BLOCKS, "JobEscrow: deadline too far away");
        jobId = ++jobCount;
        Job storage job = jobs[jobId];
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
        require(stakeOf[provider] > 0 && unlockedStakeOf(provider) >= collateral,
                "JobEscrow: provider stake too low");
        job.provider = provider;
        job.collateral = collateral;
        job.state = State.Assigned;
        lockedStakeOf[provider] += collateral;
        emit JobAssigned(jobId, provider, collateral);
    }

    /// @notice The assigned provider claims the job is done, giving the hash of its result.
    function submitResult(uint256 jobId, bytes32 resultHash) external {
        Job storage job = _existing(jobId);
        require(msg.sender == job.provider, "JobEscrow: only the assigned provider");
        require(job.state == State.Assigned, "JobEscrow: job not assigned");
        require(block.number <= job.deadline, "JobEscrow: deadline passed");
        require(resultHash != bytes32(0), "JobEscrow: result hash is empty");
        job.resultHash = resultHash;
        job.state = State.Submitted;
        emit ResultSubmitted(jobId, msg.sender, resultHash);
    }

    /// @notice The verifier accepts the result: the provider is paid, the collateral unlocked.
    function release(uint256 jobId) external {
        // checks
        Job storage job = _existing(jobId);
        require(msg.sender == verifier, "JobEscrow: only the verifier");
        require(job.state == State.Submitted, "JobEscrow: no result submitted");
        // effects
        job.state = State.Released;
        totalOpenPayments -= job.payment;
        lockedStakeOf[job.provider] -= job.collateral;
        emit JobReleased(jobId, job.provider, job.payment);
        // interaction
        _pay(job.provider, job.payment);
    }

    /// @notice The verifier rejects the result: the requester gets the payment back plus the
    /// provider's collateral, which leaves the provider's stake for good.
    function slash(uint256 jobId) external {
        // checks
        Job storage job = _existing(jobId);
        require(msg.sender == verifier, "JobEscrow: only the verifier");
        require(job.state == State.Submitted, "JobEscrow: no result submitted");
        // effects
        job.state = State.Slashed;
        totalOpenPayments -= job.payment;
        lockedStakeOf[job.provider] -= job.collateral;
        stakeOf[job.provider] -= job.collateral;
        totalStake -= job.collateral;
        emit JobSlashed(jobId, job.provider, job.collateral);
        // interaction
        _pay(job.requester, job.payment + job.collateral);
    }

    /// @notice After the deadline, with no verdict, the requester takes the payment back.
    /// Any collateral is unlocked: missing the deadline costs the provider the payment only.
    function refund(uint256 jobId) external {
        // checks
        Job storage job = _existing(jobId);
        require(msg.sender == job.requester, "JobEscrow: only the requester");
        require(job.state == State.Open || job.state == State.Assigned
                || job.state == State.Submitted, "JobEscrow: job already settled");
        require(block.number > job.deadline, "JobEscrow: deadline not reached");
        // effects
        job.state = State.Refunded;
        totalOpenPayments -= job.payment;
        if (job.provider != address(0)) {
            lockedStakeOf[job.provider] -= job.collateral;
        }
        emit JobRefunded(jobId, msg.sender, job.payment);
        // interaction
        _pay(msg.sender, job.payment);
    }

    // ---- bookkeeping ----

    /// @notice What the contract should hold: unsettled payments plus every stake. Equal to
    /// its balance at all times; only ETH forced in without a call (another contract's
    /// selfdestruct, or a block's fees paid to this address) could make the balance larger.
    function accountedBalance() external view returns (uint256) {
        return totalOpenPayments + totalStake;
    }

    function _existing(uint256 jobId) internal view returns (Job storage job) {
        job = jobs[jobId];
        require(job.state != State.None, "JobEscrow: no such job");
    }

    /// @dev Send `amount` wei with a plain call, forwarding all gas, and insist it arrived.
    /// Safe only because every caller has finished its effects before calling this.
    function _pay(address to, uint256 amount) internal {
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "JobEscrow: transfer failed");
    }
}
