import Foundation
import GRDB
import Testing
@testable import FlowEngine

/// Dates are stored in GRDB's own text format by flow's arithmetic (no DateFormatter, no ICU);
/// GRDB itself is the reference for what the text must be, and databases it wrote read back.
@Suite struct StoredDateTests {
    @Test func storedTextIsGRDBsAndReadsBackToTheMillisecond() throws {
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, 0.999, -0.001, 951_782_400, 1_796_687_368.123, 4_102_444_799.999]
        for _ in 0..<1000 { instants.append(Double(Int64.random(in: 0...4_102_444_799_999, using: &generator)) / 1000) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            let ours = RunDatabase.storedDate(date)
            #expect(DatabaseValue(value: ours) == date.databaseValue, "\(seconds)")
            let back = try #require(RunDatabase.readStoredDate(ours.databaseValue))
            #expect(RunDatabase.storedDate(back) == ours, "\(seconds)")
            #expect(abs(back.timeIntervalSince1970 - seconds) < 0.001, "\(seconds)")
            #expect(RunDatabase.readStoredDate(date.databaseValue) == back, "what GRDB wrote reads the same")
        }
    }

    @Test func otherFormsAreLeftToGRDB() {
        #expect(RunDatabase.parseStoredDate("2026-12-08 00:11:11") == Date(timeIntervalSince1970: 1_796_688_671))
        #expect(RunDatabase.parseStoredDate("2026-12-08T00:11:11.000") == nil)
        #expect(RunDatabase.readStoredDate("2026-12-08T00:11:11.000".databaseValue) == Date(timeIntervalSince1970: 1_796_688_671))
        #expect(RunDatabase.readStoredDate(DatabaseValue.null) == nil)
    }
}
