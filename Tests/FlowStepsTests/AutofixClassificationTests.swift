import Foundation
import Testing
@testable import FlowSteps
import FlowTestSupport

/// The signature catalogue against real logs captured from buildah 1.28 and pip 23 on the local
/// base image (`Fixtures/Autofix/*.log`; how each was caused is in `Fixtures/Autofix/README.md`).
@Suite struct AutofixClassificationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Autofix")
    static var catalogue: SignatureCatalogue { SignatureCatalogue.shipped.catalogue }

    static func log(_ name: String) throws -> FailureLog {
        FailureLog.read(path: fixtures.appendingPathComponent(name + ".log").path, tail: [], catalogue: catalogue)
    }

    @Test func theShippedCatalogueLoads() {
        #expect(SignatureCatalogue.shipped.error == nil)
        #expect(Self.catalogue.signatures.count >= 9)
        #expect(Self.catalogue.systemLibraries["libGL.so.1"] == "libgl1")
    }

    @Test(arguments: [
        ("apt-no-update", "apt-no-update", SignatureCatalogue.Class.fix),
        ("pep668", "externally-managed", .fix),
        ("torch-conflict", "torch-domain-conflict", .fix),
        ("cuda-index", "cuda-pin-without-index", .fix),
        ("missing-library", "missing-system-library", .fix),
        ("network", "network", .retry),
        ("no-wheel", "no-wheel-for-python", .fatal),
        ("no-space", "no-space", .fatal),
        ("unauthorized", "unauthorized", .fatal),
    ])
    func eachCapturedLogIsClassifiedByItsSignature(fixture: String, signature: String, kind: SignatureCatalogue.Class) throws {
        let found = try #require(Self.catalogue.classify(try Self.log(fixture).lines))
        #expect(found.signature.id == signature)
        #expect(found.signature.class == kind)
        // The reader's prefilter would find the line: one of the signature's hints is on it.
        #expect(found.signature.hints.contains { found.line.contains($0) })
    }

    /// apt writes `E` and `: message` separately to stderr, and buildah copies the RUN's stdout
    /// and stderr through separate pipes: a partial stdout line can land between the two (as
    /// captured in CI, 2026-12-08). The signature does not need apt's `E: ` prefix.
    @Test func anAptErrorSplitFromItsPrefixByStdoutIsStillRecognised() throws {
        let lines = ["STEP 2/4: RUN apt-get install -y --no-install-recommends libgomp1", "Reading package lists...",
                     "Building dependency tree...E", ": Unable to locate package libgomp1", "subprocess exited with status 100"]
        let found = try #require(Self.catalogue.classify(lines))
        #expect(found.signature.id == "apt-no-update")
        #expect(found.groups.dropFirst().first == "libgomp1")
        #expect(found.signature.hints.contains { found.line.contains($0) })
    }

    @Test func anUnknownFailureHasNoSignature() throws {
        #expect(Self.catalogue.classify(try Self.log("unknown").lines) == nil)
    }

    @Test func theCapturesNameThePackageAndTheLibrary() throws {
        #expect(Self.catalogue.classify(try Self.log("apt-no-update").lines)?.groups.dropFirst().first == "libgomp1")
        #expect(Self.catalogue.classify(try Self.log("missing-library").lines)?.groups.dropFirst().first == "libgomp.so.1")
        #expect(Self.catalogue.classify(try Self.log("cuda-index").lines)?.groups.dropFirst().first == "torch")
        #expect(Self.catalogue.classify(try Self.log("torch-conflict").lines)?.groups.dropFirst().first == "torchvision")
    }

    @Test func theFailingInstructionIsReadFromTheBuilderLog() throws {
        #expect(try Self.log("pep668").failingInstruction == "RUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha")
        #expect(try Self.log("missing-library").failingInstruction == "RUN python -c \"import glpkg\"")
        let buildkit = FailureLog(lines: [#"ERROR: failed to solve: process "/bin/sh -c apt-get install -y curl" did not complete successfully: exit code: 100"#])
        #expect(buildkit.failingInstruction == "RUN apt-get install -y curl")
        let stepOnly = FailureLog(lines: ["STEP 1/2: FROM x", "STEP 2/2: RUN make", "boom"])
        #expect(stepOnly.failingInstruction == "RUN make")
    }

    /// A log far larger than what autofix keeps: the reader streams it and keeps only matching
    /// lines (capped) and the tail, however long the file and its lines are.
    @Test func aHugeLogIsReadBounded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("huge.log").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let noise = Data(String(repeating: "compiling something quite ordinary\n", count: 30_000).utf8)
        for _ in 0..<20 { handle.write(noise) }
        handle.write(Data((String(repeating: "x", count: 200_000) + "\n").utf8))
        for _ in 0..<500 { handle.write(Data("E: Unable to locate package cowsay\n".utf8)) }
        try handle.close()
        let tail = (0..<1000).map { "tail line \($0)" }
        let log = FailureLog.read(path: path, tail: tail, catalogue: Self.catalogue)
        #expect(log.lines.count == FailureLog.maximumMatches + FailureLog.tailLines)
        #expect(log.lines.allSatisfy { $0.utf8.count <= FailureLog.maximumLineLength })
        #expect(log.lines.last == "tail line 999")
        #expect(Self.catalogue.classify(log.lines)?.signature.id == "apt-no-update")
    }

    /// The network log also says `from versions: none`: the catalogue's order makes it a plain
    /// retry, not a missing wheel.
    @Test func aNetworkFailureIsNotMistakenForAMissingWheel() throws {
        let lines = try Self.log("network").lines
        #expect(lines.contains { $0.contains("from versions: none") })
        #expect(Self.catalogue.classify(lines)?.signature.id == "network")
    }
}
