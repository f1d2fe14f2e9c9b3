// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title The receiver side of EIP-721's safe transfers.
/// @notice A contract that wants NFTs sent to it with safeTransferFrom must answer this call with
/// its own selector; otherwise the transfer reverts. The check exists because a contract that
/// does not know it holds an NFT can never move it again: the token would be stuck forever.
interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

/// @title CourseNFT: a minimal ERC-721 (EIP-721) with EIP-2981 royalties, written out in full.
/// @notice Each token is a unique id with one owner. The contract's owner mints tokens with a
/// metadata URI; holders transfer them, or let someone else do it for them: an *approved* address
/// for one token, or an *operator* for all their tokens (how marketplaces sell NFTs).
/// EIP-2981 only *reports* a royalty (who should get how much of a sale): a marketplace chooses
/// to pay it. A plain transferFrom between two people pays nothing.
contract CourseNFT {
    // ERC-165 interface ids: the XOR of the function selectors of each interface.
    bytes4 private constant ERC165_ID = 0x01ffc9a7;
    bytes4 private constant ERC721_ID = 0x80ac58cd;
    bytes4 private constant ERC721_METADATA_ID = 0x5b5e139f; // name, symbol, tokenURI
    bytes4 private constant ERC2981_ID = 0x2a55205a; // royaltyInfo
    uint256 public constant BPS = 10_000; // royalties are in basis points: 10,000 = 100%

    string public name;
    string public symbol;
    address public owner; // may mint, set the royalty, and hand the collection over
    uint256 public totalSupply; // tokens minted so far; ids run 1, 2, 3, ...

    address public royaltyReceiver;
    uint256 public royaltyBps;

    mapping(uint256 => address) private _owners;
    mapping(address => uint256) private _balances;
    mapping(uint256 => address) private _tokenApprovals; // one approved address per token
    mapping(address => mapping(address => bool)) private _operatorApprovals; // owner => operator
    mapping(uint256 => string) private _tokenURIs;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyOwner() {
        require(msg.sender == owner, "CourseNFT: caller is not the owner");
        _;
    }

    constructor(string memory name_, string memory symbol_, address royaltyReceiver_, uint256 royaltyBps_) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        _setRoyalty(royaltyReceiver_, royaltyBps_);
        emit OwnershipTransferred(address(0), msg.sender);
    }

    // --- ERC-165: which interfaces does this contract implement? -------------------------------

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == ERC165_ID || interfaceId == ERC721_ID
            || interfaceId == ERC721_METADATA_ID || interfaceId == ERC2981_ID;
    }

    // --- reading ownership ----------------------------------------------------------------------

    function balanceOf(address holder) external view returns (uint256) {
        require(holder != address(0), "ERC721: address zero is not a valid owner");
        return _balances[holder];
    }

    /// @notice The owner of a token; reverts for a token that was never minted.
    function ownerOf(uint256 tokenId) public view returns (address) {
        address holder = _owners[tokenId];
        require(holder != address(0), "ERC721: invalid token ID");
        return holder;
    }

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId); // reverts for a token that does not exist
        return _tokenURIs[tokenId];
    }

    // --- approvals: who else may move a token ---------------------------------------------------

    /// @notice Let `to` move one token (address(0) clears it). A transfer clears it too.
    function approve(address to, uint256 tokenId) external {
        address holder = ownerOf(tokenId);
        require(to != holder, "ERC721: approval to current owner");
        require(msg.sender == holder || _operatorApprovals[holder][msg.sender],
            "ERC721: approve caller is not token owner or approved for all");
        _tokenApprovals[tokenId] = to;
        emit Approval(holder, to, tokenId);
    }

    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return _tokenApprovals[tokenId];
    }

    /// @notice Let `operator` move ALL of the caller's tokens, now and future ones. Powerful:
    /// phishing sites ask for exactly this signature (notebook 03).
    function setApprovalForAll(address operator, bool approved) external {
        require(operator != msg.sender, "ERC721: approve to caller");
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function isApprovedForAll(address holder, address operator) external view returns (bool) {
        return _operatorApprovals[holder][operator];
    }

    // --- transfers ------------------------------------------------------------------------------

    /// @notice Move a token. The caller must own it, be approved for it, or be an operator.
    /// `from` must be the current owner: a check that the caller knows what it is moving.
    function transferFrom(address from, address to, uint256 tokenId) public {
        address holder = ownerOf(tokenId);
        require(msg.sender == holder || _tokenApprovals[tokenId] == msg.sender
            || _operatorApprovals[holder][msg.sender], "ERC721: caller is not token owner or approved");
        require(holder == from, "ERC721: transfer from incorrect owner");
        require(to != address(0), "ERC721: transfer to the zero address");
        delete _tokenApprovals[tokenId]; // the new owner does not inherit the old approval
        _balances[from] -= 1;
        _balances[to] += 1;
        _owners[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    /// @notice transferFrom, then: if `to` is a contract, it must confirm it can handle NFTs.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        if (to.code.length > 0) { // a contract, not a person's account
            try IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data) returns (bytes4 answer) {
                require(answer == IERC721Receiver.onERC721Received.selector,
                    "ERC721: transfer to non ERC721Receiver implementer");
            } catch {
                // The call reverted (e.g. the contract has no such function): the whole
                // transfer reverts with it, so the token is never stuck there.
                revert("ERC721: transfer to non ERC721Receiver implementer");
            }
        }
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    // --- minting and administration (the collection's owner only) -----------------------------

    /// @notice Create the next token for `to` with its metadata URI; returns its id. (Like
    /// transferFrom, a plain mint does not ask a receiving contract whether it can hold NFTs.)
    function mint(address to, string calldata uri) external onlyOwner returns (uint256 tokenId) {
        require(to != address(0), "ERC721: mint to the zero address");
        tokenId = totalSupply + 1;
        totalSupply = tokenId;
        _owners[tokenId] = to;
        _balances[to] += 1;
        _tokenURIs[tokenId] = uri;
        emit Transfer(address(0), to, tokenId); // a mint is a transfer from address zero
    }

    function setRoyalty(address receiver, uint256 bps) external onlyOwner {
        _setRoyalty(receiver, bps);
    }

    /// @notice Hand the collection (minting, royalties) to someone else, e.g. a DAO's governor.
    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "CourseNFT: new owner is the zero address");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // --- EIP-2981: royalties --------------------------------------------------------------------

    /// @notice Who should receive a royalty on a sale of `tokenId` at `salePrice`, and how much:
    /// salePrice * royaltyBps / 10,000, rounded down (in the sale's own unit: wei or tokens).
    /// Every token of this collection has the same royalty.
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        tokenId; // EIP-2981 allows a royalty per token; this collection has one for all
        return (royaltyReceiver, salePrice * royaltyBps / BPS);
    }

    function _setRoyalty(address receiver, uint256 bps) private {
        require(receiver != address(0), "CourseNFT: royalty receiver is the zero address");
        require(bps <= BPS, "CourseNFT: royalty above 100%");
        royaltyReceiver = receiver;
        royaltyBps = bps;
    }
}

/// @title NFTReceiver: a contract that accepts NFTs sent with safeTransferFrom.
/// @notice It answers onERC721Received with its selector and logs what arrived. (A real vault
/// would also need a way to send the NFTs on; this one only shows the handshake.)
contract NFTReceiver is IERC721Receiver {
    event Received(address operator, address from, uint256 tokenId, bytes data);

    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        emit Received(operator, from, tokenId, data);
        return IERC721Receiver.onERC721Received.selector;
    }
}
