import Foundation
import GRDB
import Testing
import FlowTestSupport

@testable import FlowEngine

/// Transitions write their dates without GRDB's formatter; they must be the same text GRDB
/// writes (and reads back) for a `Date`.
@Suite struct StoredDateTests {
    @Test func storedDatesAreGRDBsText() {
        var generator = SeededGenerator(seed: 42)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.123),
                     Date(timeIntervalSince1970: 951_782_400.5), Date(timeIntervalSince1970: -1.25)]
        for _ in 0..<500 {
            // Whole milliseconds plus a little, away from any rounding boundary.
            let ms = Double(Int64.random(in: 0...4_102_444_800_000, using: &generator))
            dates.append(Date(timeIntervalSince1970: (ms + 0.25) / 1000))
        }
        for date in dates {
            let grdb = date.databaseValue.storage
            guard case .string(let expected) = grdb else {
                Issue.record("GRDB stored \(date) as \(grdb)")
                continue
            }
            #expect(RunDatabase.storedDate(date) == expected, "\(date.timeIntervalSince1970)")
        }
    }
}
