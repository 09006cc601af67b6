import Foundation
import Testing
import FlowTestSupport

import FlowEngine

/// A run's secrets grow while it runs; every sink masks with all of them from then on.
@Suite struct RunSecretsTests {
    @Test func aValueLearntMidStreamIsMaskedInWhatTheLogGetsAfterwards() throws {
        let directory = try LogsTestSupport.makeTemporaryDirectory()
        defer { LogsTestSupport.removeDirectory(directory) }
        let secrets = RunSecrets(["first-Secret-1"])
        let path = directory + "/attempt-1.log"
        let writer = try StepLogWriter(path: path, secrets: secrets)
        try writer.write(Array("a first-Secret-1 b late-Secret-2\n".utf8))
        #expect(secrets.learn(["late-Secret-2"]))
        #expect(!secrets.learn(["late-Secret-2", "abc"]))  // known, and too short to mask
        try writer.write(Array("c late-Secret-2 d first-Secret-1\n".utf8))
        try writer.close()
        // Written before the value was learnt: left as it was.
        #expect(String(decoding: try LogsTestSupport.contents(of: path), as: UTF8.self)
                == "a *** b late-Secret-2\nc *** d ***\n")
    }

    @Test func outputNamesAreMaskedLikeValues() {
        let secrets = RunSecrets(["Name-Secret-3"])
        #expect(secrets.mask(outputs: ["key_Name-Secret-3": "v", "plain": "Name-Secret-3", "other": "x"])
                == ["key_***": "v", "plain": "***", "other": "x"])
        // Two names that mask alike: the first in byte order keeps the name.
        #expect(secrets.mask(outputs: ["b_Name-Secret-3": "2", "a_Name-Secret-3": "1", "a_***": "0"]) == ["a_***": "0", "b_***": "2"])
    }
}
