import Testing
import FlowCore

@Suite struct DurationAndRetryTests {
    @Test func durationsParseEveryUnitAndCombination() throws {
        let cases: [(String, Int64)] = [("500ms", 500), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000),
                                        ("2d", 172_800_000), ("1.5s", 1500), (" 10s ", 10_000), ("0s", 0)]
        for (text, ms) in cases {
            #expect(try DurationValue.parse(text).get().milliseconds == ms, "\(text)")
        }
    }

    @Test func badDurationsSayWhatIsWrong() {
        #expect(DurationValue.parse("30") == .failure(.missingUnit("30")))
        #expect(DurationValue.parse("5x") == .failure(.unknownUnit("x")))
        #expect(DurationValue.parse("abc") == .failure(.malformed("abc")))
        #expect(DurationValue.parse("") == .failure(.empty))
        #expect(DurationValue.parse("99999999999999999999d") == .failure(.tooLarge("99999999999999999999d")))
    }

    @Test func durationPrintsItsShortestSpelling() {
        #expect(DurationValue(milliseconds: 5_400_000).description == "1h30m")
        #expect(DurationValue(milliseconds: 250).description == "250ms")
        #expect(DurationValue(milliseconds: 0).description == "0s")
    }

    @Test func backoffGrowsByFactorAndIsCapped() {
        let b = Backoff(initial: .seconds(5), factor: 2, max: .seconds(60))
        #expect((1...6).map { b.delay(afterAttempt: $0).milliseconds / 1000 } == [5, 10, 20, 40, 60, 60])
        #expect(b.delay(afterAttempt: 10_000).milliseconds == 60_000)
    }
}
