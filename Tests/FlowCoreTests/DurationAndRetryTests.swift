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
        #expect(DurationValue.parse("5x") == .failure(.unknownUnit("x", number: "5")))
        #expect(DurationValue.parse("5 parsecs") == .failure(.unknownUnit("parsecs", number: "5")))
        #expect(DurationValue.parse("5 !") == .failure(.malformed("5 !")))
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

@Suite struct ByteSizeTests {
    @Test func sizesParseWithBinaryUnits() {
        let cases: [(String, Int)] = [("1024", 1024), ("512KiB", 512 << 10), ("512KB", 512 << 10), ("512k", 512 << 10),
                                      ("10MiB", 10 << 20), ("10 MB", 10 << 20), ("2G", 2 << 30), ("7B", 7)]
        for (text, bytes) in cases {
            #expect((try? ByteSize.parse(text).get())?.bytes == bytes, "\(text)")
        }
    }

    @Test func badSizesSayWhatIsWrong() {
        for text in ["", "MiB", "10 parsecs", "-5MiB", "1.5MiB", "99999999999999999999G"] {
            #expect(throws: ByteSizeError.malformed(text)) { try ByteSize.parse(text).get() }
        }
        #expect(ByteSizeError.malformed("x").message(for: "`log-limit`") == "`log-limit` is `x`, which is not a size; write e.g. `512KiB`, `10MiB` or a number of bytes")
    }

    @Test func sizePrintsItsLargestWholeUnit() {
        #expect(ByteSize(bytes: 10 << 20).description == "10MiB")
        #expect(ByteSize(bytes: 3 << 9).description == "1536B")
        #expect(ByteSize(bytes: 1 << 30).description == "1GiB")
    }
}
