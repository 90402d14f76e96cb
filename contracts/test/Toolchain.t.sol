// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {Test} from "./utils/Test.sol";

contract ToolchainTest is Test {
    function test_cheatcodesReachable() public {
        vm.warp(1_767_225_600);
        assertEq(block.timestamp, 1_767_225_600);
    }

    function testFuzz_boundStaysInRange(uint256 x) public pure {
        uint256 y = bound(x, 3, 9);
        assertTrue(y >= 3 && y <= 9);
    }
}
