// SPDX-License-Identifier: MPL-2.0
pragma solidity 0.8.30;

import {Dates} from "../src/Dates.sol";
import {Test} from "./utils/Test.sol";

contract DatesTest is Test {
    function test_knownDates() public pure {
        assertEq(Dates.fromYmd(1970, 1, 1), 0);
        assertEq(Dates.fromYmd(2026, 2, 1), 1_769_904_000);
        assertEq(Dates.weekday(Dates.fromYmd(2026, 2, 1)), 7); // Sunday
        assertEq(Dates.weekday(Dates.fromYmd(2026, 1, 12)), 1); // Monday
        assertEq(Dates.daysInMonth(2028, 2), 29);
        assertEq(Dates.daysInMonth(2100, 2), 28);
        assertEq(Dates.daysInMonth(2000, 2), 29);
        assertEq(Dates.addMonths(Dates.fromYmd(2026, 1, 31), 1), Dates.fromYmd(2026, 2, 28));
        assertEq(Dates.addMonths(Dates.fromYmd(2026, 2, 1), 3), Dates.fromYmd(2026, 5, 1));
        assertEq(Dates.nextPeriod(202_612), 202_701);
        assertEq(Dates.periodOf(Dates.fromYmd(2027, 1, 31)), 202_701);
        (uint64 first, uint64 last, uint256 dim) = Dates.periodBounds(202_602);
        assertEq(first, Dates.fromYmd(2026, 2, 1));
        assertEq(last, Dates.fromYmd(2026, 2, 28));
        assertEq(dim, 28);
    }

    function testFuzz_ymdRoundTrip(uint32 dayNumber) public pure {
        uint256 date = uint256(bound(dayNumber, 0, 2_932_896)) * Dates.DAY; // 1970 … 9999
        (uint256 y, uint256 m, uint256 d) = Dates.toYmd(date);
        assertTrue(m >= 1 && m <= 12 && d >= 1 && d <= Dates.daysInMonth(y, m));
        assertEq(Dates.fromYmd(y, m, d), date);
        (uint256 y2, uint256 m2, uint256 d2) = Dates.toYmd(date + Dates.DAY);
        bool nextDay =
            (y2 == y && m2 == m && d2 == d + 1) || (d2 == 1 && (m2 == m + 1 || (m == 12 && m2 == 1 && y2 == y + 1)));
        assertTrue(nextDay);
        assertEq(Dates.weekday(date + 7 * Dates.DAY), Dates.weekday(date));
    }

    function testFuzz_monthsPartitionTheDays(uint16 y) public pure {
        uint256 year = bound(y, 1970, 9998);
        uint256 total;
        for (uint256 m = 1; m <= 12; ++m) {
            total += Dates.daysInMonth(year, m);
        }
        assertEq(total, Dates.daysBetween(Dates.fromYmd(year, 1, 1), Dates.fromYmd(year, 12, 31)));
    }
}
