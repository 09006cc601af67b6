import Foundation
import Testing
@testable import FlowCore

/// flow's own ISO 8601 arithmetic (it replaced ISO8601DateFormatter to keep ICU off the start of
/// every run), checked against Foundation's formatter as the reference.
@Suite struct ISO8601Tests {
    private func reference(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    @Test func formattingMatchesFoundationAcrossCenturiesLeapDaysAndMilliseconds() {
        let withMilliseconds = reference([.withInternetDateTime, .withFractionalSeconds])
        let whole = reference([.withInternetDateTime])
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, -1, 951_782_400, 951_868_799.999, 4_107_542_400, -2_208_988_800, 1_796_687_368.123]
        for _ in 0..<2000 { instants.append(Double(Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &generator)) / 1000) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ISO8601.string(date) == withMilliseconds.string(from: date), "\(seconds)")
            #expect(ISO8601.seconds(date) == whole.string(from: date), "\(seconds)")
        }
    }

    @Test func parsingReadsOffsetsFractionsAndRefusesWhatIsNotAnInstant() throws {
        #expect(ISO8601.parse("2026-03-08T07:00:00Z") == Date(timeIntervalSince1970: 1_772_953_200))
        #expect(ISO8601.parse("2026-03-08T08:30:00+01:30") == Date(timeIntervalSince1970: 1_772_953_200))
        #expect(ISO8601.parse("2026-03-07T23:00:00-08:00") == Date(timeIntervalSince1970: 1_772_953_200))
        let fractional = try #require(ISO8601.parse("2026-03-08T07:00:00.250Z"))
        #expect(abs(fractional.timeIntervalSince1970 - 1_772_953_200.25) < 0.000_001)
        #expect(ISO8601.parse("2024-02-29T00:00:00Z") != nil)
        for bad in ["", "2026-03-08", "2026-03-08T07:00Z", "2026-03-08T07:00:00", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                    "2026-03-08T24:00:00Z", "2026-03-08T07:00:00.Z", "2026-03-08T07:00:00+0100", "2026-03-08T07:00:00Zjunk",
                    "٢٠٢٦-03-08T07:00:00Z"] {
            #expect(ISO8601.parse(bad) == nil, "\(bad)")
        }
        let sample = Date(timeIntervalSince1970: 1_700_000_000.5)
        #expect(ISO8601.parse(ISO8601.string(sample)) == sample)
    }

    @Test func runIDsAreTheUTCMinuteAndASuffix() {
        #expect(CivilTime(Date(timeIntervalSince1970: 1_772_953_259)).dateAndTime() == "2026-03-08T07:00:59")
    }
}
