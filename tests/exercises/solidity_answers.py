"""Solidity answers for the fuzzed exercises: the templates of notebooks 07 and 09 with a correct
body, correct alternatives and the typical mistakes, each a contract of its own in one source."""
# ruff: noqa: E501  (one Solidity body per line reads better than wrapped strings)
PLACEHOLDER = 'revert("your code here");'


def one_source(parts):
    """Several contracts in one source: one pragma, compiled once."""
    head = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
    return head + "".join(part.split("pragma solidity ^0.8.20;\n", 1)[1] for part in parts)


# --- notebook 07, Try it 5: the escrow
ESCROW_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    address public immutable buyer;
    address public immutable seller;
    address public immutable arbiter;
    uint256 public immutable amount;
    bool public settled;

    event Released(address indexed to, uint256 amount);
    event Refunded(address indexed to, uint256 amount);

    constructor(address seller_, address arbiter_) payable {{
        require(msg.value > 0, "Escrow: nothing deposited");
        buyer = msg.sender;
        seller = seller_;
        arbiter = arbiter_;
        amount = msg.value;
    }}

    function release() external {{
        {release}
    }}

    function refund() external {{
        {refund}
    }}
}}
"""
PLACEHOLDER = 'revert("your code here");'
RELEASE = ('require(msg.sender == buyer || msg.sender == arbiter, "Escrow: not allowed"); '
           'require(!settled, "Escrow: settled"); settled = true; payable(seller).transfer(amount); '
           "emit Released(seller, amount);")
REFUND = ('require(msg.sender == seller || msg.sender == arbiter, "Escrow: not allowed"); '
          'require(!settled, "Escrow: settled"); settled = true; payable(buyer).transfer(amount); '
          "emit Refunded(buyer, amount);")
ESCROW_VERSIONS = {
    "Placeholder": (PLACEHOLDER, PLACEHOLDER),
    "Correct": (RELEASE, REFUND),
    "WithModifiers": ("", ""),  # replaced below
    "RefundByAnyone": (RELEASE, 'require(!settled, "settled"); settled = true; payable(buyer).transfer(amount); emit Refunded(buyer, amount);'),
    "SellerReleases": (RELEASE.replace("msg.sender == buyer", "msg.sender == seller"), REFUND),
    "RefundPaysSeller": (RELEASE, REFUND.replace("payable(buyer)", "payable(seller)")),
    "SettlesTwice": (RELEASE.replace('require(!settled, "Escrow: settled"); ', ""), REFUND.replace('require(!settled, "Escrow: settled"); ', "")),
    "ForgetsSettled": (RELEASE.replace("settled = true; ", ""), REFUND.replace("settled = true; ", "")),
    "NoEvents": (RELEASE.replace(" emit Released(seller, amount);", ""), REFUND),
}
ESCROW_WITH_MODIFIERS = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract WithModifiers {
    address public immutable buyer;
    address public immutable seller;
    address public immutable arbiter;
    uint256 public immutable amount;
    bool public settled;

    event Released(address indexed to, uint256 amount);
    event Refunded(address indexed to, uint256 amount);
    error NotAllowed(address caller);
    error AlreadySettled();

    constructor(address seller_, address arbiter_) payable {
        buyer = msg.sender; seller = seller_; arbiter = arbiter_; amount = msg.value;
    }

    modifier onlyEither(address a, address b) {
        if (msg.sender != a && msg.sender != b) revert NotAllowed(msg.sender);
        if (settled) revert AlreadySettled();
        _;
    }

    function release() external onlyEither(buyer, arbiter) { settle(seller); emit Released(seller, amount); }
    function refund() external onlyEither(seller, arbiter) { settle(buyer); emit Refunded(buyer, amount); }

    function settle(address to) private {
        settled = true;
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "transfer failed");
    }
}
"""
def escrow_source():
    parts = [ESCROW_TEMPLATE.format(name=n, release=a, refund=b)
             for n, (a, b) in ESCROW_VERSIONS.items() if n != "WithModifiers"]
    return one_source([*parts, ESCROW_WITH_MODIFIERS])

# --- notebook 09: transferFrom
TOKEN_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) {{
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }}

    function transfer(address to, uint256 value) external returns (bool) {{
        require(balanceOf[msg.sender] >= value, "MiniToken: balance too low");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }}

    function approve(address spender, uint256 value) external returns (bool) {{
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }}

    function transferFrom(address from, address to, uint256 value) external returns (bool) {{
        {body}
    }}
}}
"""
TOKEN_BODIES = {
  "Placeholder": PLACEHOLDER,
  "Correct": 'require(allowance[from][msg.sender] >= value, "allowance"); require(balanceOf[from] >= value, "balance"); allowance[from][msg.sender] -= value; balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "Checked": 'allowance[from][msg.sender] -= value; balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "KeepsAllowance": 'require(allowance[from][msg.sender] >= value, "allowance"); require(balanceOf[from] >= value, "balance"); balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "NoAllowanceCheck": 'require(balanceOf[from] >= value, "balance"); balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "WrongPair": 'require(allowance[msg.sender][from] >= value, "allowance"); allowance[msg.sender][from] -= value; balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "SpenderPays": 'require(allowance[from][msg.sender] >= value, "allowance"); allowance[from][msg.sender] -= value; balanceOf[msg.sender] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "NoEvent": 'require(allowance[from][msg.sender] >= value, "allowance"); allowance[from][msg.sender] -= value; balanceOf[from] -= value; balanceOf[to] += value; return true;',
  "OwnerOnly": 'require(msg.sender == from, "only the owner"); balanceOf[from] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
  "Unchecked": 'require(allowance[from][msg.sender] >= value, "allowance"); unchecked { allowance[from][msg.sender] -= value; balanceOf[from] -= value; balanceOf[to] += value; } emit Transfer(from, to, value); return true;',
  "Mints": 'require(allowance[from][msg.sender] >= value, "allowance"); allowance[from][msg.sender] -= value; balanceOf[to] += value; emit Transfer(from, to, value); return true;',
}
def token_source():
    return one_source([TOKEN_TEMPLATE.format(name=n, body=b) for n, b in TOKEN_BODIES.items()])

# --- notebook 09: the vesting wallet
VESTING_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    address public immutable beneficiary;
    uint256 public immutable start;      // a time, in seconds (block.timestamp's unit)
    uint256 public immutable cliff;      // seconds after start before anything vests
    uint256 public immutable duration;   // seconds after start when everything has vested
    uint256 public released;             // wei paid out so far

    event Released(address indexed to, uint256 amount);

    constructor(address beneficiary_, uint256 start_, uint256 cliff_, uint256 duration_)
        payable
    {{
        require(duration_ > 0 && cliff_ <= duration_, "VestingWallet: bad schedule");
        beneficiary = beneficiary_;
        start = start_;
        cliff = cliff_;
        duration = duration_;
    }}

    function vestedAmount(uint256 timestamp) public view returns (uint256) {{
        {vested}
    }}

    function release() external {{
        {release}
    }}
}}
"""
VESTED = ("uint256 total = address(this).balance + released; if (timestamp < start + cliff) return 0; "
          "if (timestamp >= start + duration) return total; return total * (timestamp - start) / duration;")
RELEASE = ('require(msg.sender == beneficiary, "VestingWallet: not the beneficiary"); '
           "uint256 due = vestedAmount(block.timestamp) - released; released += due; "
           "payable(beneficiary).transfer(due); emit Released(beneficiary, due);")
VESTING_VERSIONS = {
    "Placeholder": (PLACEHOLDER, PLACEHOLDER),
    "HalfDone": (VESTED, PLACEHOLDER),
    "Correct": (VESTED, RELEASE),
    "NoCliff": ("uint256 total = address(this).balance + released; if (timestamp < start) return 0; "
                "if (timestamp >= start + duration) return total; return total * (timestamp - start) / duration;", RELEASE),
    "FromTheCliff": ("uint256 total = address(this).balance + released; if (timestamp < start + cliff) return 0; "
                     "if (timestamp >= start + duration) return total; return total * (timestamp - start - cliff) / (duration - cliff);", RELEASE),
    "AnyoneReleases": (VESTED, "uint256 due = vestedAmount(block.timestamp) - released; released += due; "
                       "payable(beneficiary).transfer(due); emit Released(beneficiary, due);"),
    "PaysTheCaller": (VESTED, "uint256 due = vestedAmount(block.timestamp) - released; released += due; "
                      "payable(msg.sender).transfer(due); emit Released(msg.sender, due);"),
    "ReleasesEverything": (VESTED, 'require(msg.sender == beneficiary, "no"); uint256 due = address(this).balance; '
                           "released += due; payable(beneficiary).transfer(due); emit Released(beneficiary, due);"),
    "ForgetsReleased": (VESTED, 'require(msg.sender == beneficiary, "no"); uint256 due = vestedAmount(block.timestamp); '
                        "payable(beneficiary).transfer(due); emit Released(beneficiary, due);"),
    "BalanceOnly": ("uint256 total = address(this).balance; if (timestamp < start + cliff) return 0; "
                    "if (timestamp >= start + duration) return total; return total * (timestamp - start) / duration;", RELEASE),
    "NoEvent": (VESTED, 'require(msg.sender == beneficiary, "no"); uint256 due = vestedAmount(block.timestamp) - released; '
                "released += due; payable(beneficiary).transfer(due);"),
    "OpenZeppelinStyle": ("uint256 total = address(this).balance + released; if (timestamp < start + cliff) { return 0; } "
                          "else if (timestamp >= start + duration) { return total; } else { return (total * (timestamp - start)) / duration; }",
                          'if (msg.sender != beneficiary) revert("only beneficiary"); uint256 amount = vestedAmount(block.timestamp) - released; '
                          'released += amount; emit Released(beneficiary, amount); (bool ok, ) = beneficiary.call{value: amount}(""); require(ok, "send failed");'),
}
def vesting_source():
    return one_source([VESTING_TEMPLATE.format(name=n, vested=v, release=r)
                       for n, (v, r) in VESTING_VERSIONS.items()])


# --- notebook 07, Try it 6: the tip jar
TIP_JAR_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    address public immutable owner;
    mapping(address => uint256) public tipped;
    uint256 public withdrawn;

    event Tipped(address indexed from, uint256 amount);
    {extra}
    constructor() {{
        owner = msg.sender;
    }}

    receive() external payable {{
        {receive}
    }}

    function withdraw() external {{
        {withdraw}
    }}
}}
"""
TIP = "tipped[msg.sender] += msg.value; emit Tipped(msg.sender, msg.value);"
WITHDRAW = ('require(msg.sender == owner, "TipJar: not the owner"); uint256 amount = address(this).balance; '
            "withdrawn += amount; payable(owner).transfer(amount);")
TIP_JAR_VERSIONS = {
    "Placeholder": ("", PLACEHOLDER, PLACEHOLDER),
    "Correct": ("", TIP, WITHDRAW),
    "WithModifier": ("error NotOwner(address caller); modifier onlyOwner() { if (msg.sender != owner) revert NotOwner(msg.sender); _; }",
                     "tipped[msg.sender] = tipped[msg.sender] + msg.value; emit Tipped({from: msg.sender, amount: msg.value});",
                     "_pay();"),  # withdraw() onlyOwner, below
    "WithdrawByAnyone": ("", TIP, WITHDRAW.replace('require(msg.sender == owner, "TipJar: not the owner"); ', "")),
    "TipNotRecorded": ("", "emit Tipped(msg.sender, msg.value);", WITHDRAW),
    "TipOverwritten": ("", "tipped[msg.sender] = msg.value; emit Tipped(msg.sender, msg.value);", WITHDRAW),
    "NoEvent": ("", "tipped[msg.sender] += msg.value;", WITHDRAW),
    "ForgetsWithdrawn": ("", TIP, WITHDRAW.replace("withdrawn += amount; ", "")),
}


def tip_jar_source():
    parts = [TIP_JAR_TEMPLATE.format(name=n, extra=e, receive=r, withdraw=w)
             for n, (e, r, w) in TIP_JAR_VERSIONS.items()]
    # the modifier style: withdraw() external onlyOwner, paying through .call
    parts = [p.replace("function withdraw() external {\n        _pay();",
                       "function withdraw() external onlyOwner {\n        uint256 amount = address(this).balance;\n"
                       "        withdrawn += amount;\n        (bool ok, ) = owner.call{value: amount}(\"\");\n"
                       '        require(ok, "TipJar: payment failed");') for p in parts]
    return one_source(parts)


# --- notebook 07, Try it 7: the allowlist
ALLOWLIST_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    address public immutable owner;
    uint256 public count;
    mapping(address => bool) private allowed;

    event Added(address indexed who);
    event Removed(address indexed who);
    {extra}
    constructor() {{
        owner = msg.sender;
    }}

    function add(address who) external {{
        {add}
    }}

    function remove(address who) external {{
        {remove}
    }}

    function isAllowed(address who) external view returns (bool) {{
        {view}
    }}
}}
"""
SET = ("function _set(address who, bool on) internal { if (allowed[who] == on) return; allowed[who] = on; "
       "if (on) { count += 1; emit Added(who); } else { count -= 1; emit Removed(who); } }")
ONLY_OWNER = 'require(msg.sender == owner, "Allowlist: not the owner"); '
ALLOWLIST_VERSIONS = {
    "Placeholder": ("", PLACEHOLDER, PLACEHOLDER, PLACEHOLDER),
    "Correct": (SET, ONLY_OWNER + "_set(who, true);", ONLY_OWNER + "_set(who, false);", "return allowed[who];"),
    "WithoutHelper": ("error NotOwner(address caller);",
                      "if (msg.sender != owner) revert NotOwner(msg.sender); if (!allowed[who]) { allowed[who] = true; count++; emit Added(who); }",
                      "if (msg.sender != owner) revert NotOwner(msg.sender); require(allowed[who], \"not listed\"); allowed[who] = false; count--; emit Removed(who);",
                      "return allowed[who];"),
    "RemoveByAnyone": (SET, ONLY_OWNER + "_set(who, true);", "_set(who, false);", "return allowed[who];"),
    "AddByAnyone": (SET, "_set(who, true);", ONLY_OWNER + "_set(who, false);", "return allowed[who];"),
    "CountsTwice": ("", ONLY_OWNER + "allowed[who] = true; count += 1; emit Added(who);",
                    ONLY_OWNER + "if (allowed[who]) { allowed[who] = false; count -= 1; emit Removed(who); }", "return allowed[who];"),
    "NoRemovedEvent": (SET.replace(" emit Removed(who);", ""), ONLY_OWNER + "_set(who, true);", ONLY_OWNER + "_set(who, false);", "return allowed[who];"),
    "OwnerAlwaysAllowed": (SET, ONLY_OWNER + "_set(who, true);", ONLY_OWNER + "_set(who, false);", "return who == owner || allowed[who];"),
}


def allowlist_source():
    return one_source([ALLOWLIST_TEMPLATE.format(name=n, extra=e, add=a, remove=r, view=v)
                       for n, (e, a, r, v) in ALLOWLIST_VERSIONS.items()])


# --- notebook 16, Try it 4: a job's payment after its dispute window
JOB_PAYMENT_TEMPLATE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract {name} {{
    address payable public immutable requester;
    address payable public immutable provider;
    address public immutable verifier;
    uint256 public immutable payment;
    uint256 public immutable deadline;
    uint256 public immutable window;
    uint256 public submittedAt;
    bytes32 public resultRoot;
    bool public settled;

    event Submitted(bytes32 root);
    event Paid(address indexed provider, uint256 amount);
    event Refunded(address indexed requester, uint256 amount);

    constructor(address payable provider_, address verifier_, uint256 deadlineSeconds,
                uint256 window_) payable {{
        requester = payable(msg.sender);
        provider = provider_;
        verifier = verifier_;
        payment = msg.value;
        deadline = block.timestamp + deadlineSeconds;
        window = window_;
    }}

    function submit(bytes32 root) external {{
        require(msg.sender == provider, "JobPayment: not the provider");
        require(submittedAt == 0, "JobPayment: already submitted");
        require(block.timestamp < deadline, "JobPayment: too late");
        submittedAt = block.timestamp;
        resultRoot = root;
        emit Submitted(root);
    }}

    function reject() external {{
        require(msg.sender == verifier, "JobPayment: not the verifier");
        require(!settled && submittedAt != 0, "JobPayment: nothing to reject");
        require(block.timestamp < submittedAt + window, "JobPayment: window closed");
        settled = true;
        (bool ok, ) = requester.call{{value: payment}}("");
        require(ok, "JobPayment: refund failed");
        emit Refunded(requester, payment);
    }}

    function release() external {{
        {release}
    }}

    function refund() external {{
        {refund}
    }}
}}
"""
PAY_PROVIDER = ('settled = true; (bool ok, ) = provider.call{value: payment}(""); '
                'require(ok, "payment failed"); emit Paid(provider, payment);')
PAY_REQUESTER = ('settled = true; (bool ok, ) = requester.call{value: payment}(""); '
                 'require(ok, "refund failed"); emit Refunded(requester, payment);')
RELEASE_RULES = ('require(!settled, "settled"); require(submittedAt != 0, "no result"); '
                 'require(block.timestamp >= submittedAt + window, "window open"); ')
REFUND_RULES = ('require(!settled, "settled"); require(submittedAt == 0, "a result came"); '
                'require(block.timestamp >= deadline, "before the deadline"); ')
JOB_PAYMENT_VERSIONS = {
    "Placeholder": (PLACEHOLDER, PLACEHOLDER),
    "HalfDone": (RELEASE_RULES + PAY_PROVIDER, PLACEHOLDER),
    "Correct": (RELEASE_RULES + PAY_PROVIDER, REFUND_RULES + PAY_REQUESTER),
    "IfRevertTransfer": (
        'if (settled || submittedAt == 0 || block.timestamp < submittedAt + window) '
        'revert("not payable now"); settled = true; emit Paid(provider, payment); '
        "provider.transfer(payment);",
        'if (settled || submittedAt != 0 || block.timestamp < deadline) revert("no refund"); '
        "settled = true; emit Refunded(requester, payment); requester.transfer(payment);"),
    "RequesterRefunds": (RELEASE_RULES + PAY_PROVIDER,  # JobEscrow's first hole
                         'require(!settled, "settled"); require(block.timestamp >= deadline, '
                         '"before the deadline"); ' + PAY_REQUESTER),
    "NoWindow": ('require(!settled, "settled"); require(submittedAt != 0, "no result"); '
                 + PAY_PROVIDER, REFUND_RULES + PAY_REQUESTER),
    "PaysTwice": ('require(submittedAt != 0, "no result"); require(block.timestamp >= '
                  'submittedAt + window, "window open"); (bool ok, ) = provider.call{value: '
                  'payment}(""); require(ok, "payment failed"); emit Paid(provider, payment);',
                  REFUND_RULES + PAY_REQUESTER),
    "ProviderOnly": ('require(msg.sender == provider, "only the provider"); ' + RELEASE_RULES
                     + PAY_PROVIDER, REFUND_RULES + PAY_REQUESTER),
    "EarlyRefund": (RELEASE_RULES + PAY_PROVIDER, 'require(!settled, "settled"); '
                    'require(submittedAt == 0, "a result came"); ' + PAY_REQUESTER),
    "NoEvent": (RELEASE_RULES + 'settled = true; (bool ok, ) = provider.call{value: payment}'
                '(""); require(ok, "payment failed");', REFUND_RULES + PAY_REQUESTER),
}
def job_payment_source():
    return one_source([JOB_PAYMENT_TEMPLATE.format(name=n, release=r, refund=f)
                       for n, (r, f) in JOB_PAYMENT_VERSIONS.items()])
