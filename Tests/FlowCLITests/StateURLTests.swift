import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// `--state-url` through the `flow` binary against moto's S3: builds that start in a fresh
/// state directory continue the shared state, and two builds from one base never overwrite
/// each other's work.
@Suite struct StateURLTests {
    let moto: LocalService
    let bucket = "flow-cli-state"

    init() async throws {
        moto = try await LocalService.shared("moto")
        do { try await s3().createBucket(bucket) } catch let error as AWSError where error.code.hasPrefix("BucketAlready") {}
    }

    /// Signed S3 calls with the keys moto's script made.
    func s3() -> S3 {
        let keys = AWSCredentials(accessKeyId: moto.environment["AWS_ACCESS_KEY_ID"] ?? "", secretAccessKey: moto.environment["AWS_SECRET_ACCESS_KEY"] ?? "",
                                  source: .explicit)
        return S3(AWSClient(http: HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never),
                            credentials: StaticCredentials(keys), region: "us-east-1", environment: ["AWS_ENDPOINT_URL": moto.environment["AWS_ENDPOINT_URL"] ?? ""]))
    }

    /// This process's environment with moto's exports: what a CodeBuild container would have.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        environment.merge(moto.environment) { $1 }
        environment["NO_COLOR"] = "1"
        return environment
    }

    func flow(_ arguments: [String], in dir: TemporaryDirectory) async throws -> ProcessResult {
        try await runFlow(arguments, environment: environment, currentDirectory: dir.url)
    }

    func stateURL() -> String { "s3://\(bucket)/cli/\(UUID().uuidString.lowercased())" }

    /// Ids of the runs in the state directory `state` (relative to `dir`).
    func runIDs(_ state: String, in dir: TemporaryDirectory) async throws -> Set<String> {
        let r = try await flow(["runs", "--json", "--state-dir", state], in: dir)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stderr)")
        return Set(list.compactMap { $0["id"] as? String })
    }

    @Test func aLaterBuildInAFreshStateDirectoryResumesTheRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: resumable
            steps:
              first:
                run: echo ran >> first.txt
              second:
                needs: [first]
                run: test -f fixed
            """)
        let url = stateURL()
        let failed = try await flow(["run", "p.yml", "--state-dir", "build1", "--state-url", url], in: dir)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("does not exist yet"))
        #expect(failed.stderr.contains("state: saved \(url)/flow.db"))

        dir.touch("fixed")
        let resumed = try await flow(["resume", "--last", "--state-dir", "build2", "--state-url", url], in: dir)
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(dir.lines("first.txt") == ["ran"])  // `first` succeeded in build 1 and was reused
        #expect(try await runIDs("build2", in: dir) == (try await runIDs("build1", in: dir)))

        // A third build sees the run succeeded.
        let third = try await flow(["resume", "--last", "--state-dir", "build3", "--state-url", url], in: dir)
        #expect(third.status == 0)
        #expect(third.stdout.contains("succeeded; nothing to resume"))

        // `retry` too: a fourth build runs `first` again from the shared state and saves it.
        let runID = try #require(try await runIDs("build3", in: dir).first)
        let retried = try await flow(["retry", runID, "--step", "first", "--state-dir", "build4", "--state-url", url], in: dir)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(dir.lines("first.txt") == ["ran", "ran"])
        #expect(retried.stderr.contains("state: saved \(url)/flow.db"))
    }

    @Test func twoBuildsFromOneBaseTheLoserExitsOneAndKeepsItsWork() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("quick.yml", "name: quick\nsteps:\n  a:\n    run: echo a\n")
        _ = try dir.write("slow.yml", """
            name: slow
            steps:
              wait:
                run: for i in $(seq 1 600); do [ -f go ] && exit 0; sleep 0.05; done; exit 1
              after:
                needs: [wait]
                run: for i in $(seq 1 600); do [ -f never ] && exit 0; sleep 0.05; done; exit 1
            """)
        let url = stateURL()
        #expect(try await flow(["run", "quick.yml", "--state-dir", "base", "--state-url", url], in: dir).status == 0)
        let baseRuns = try await runIDs("base", in: dir)

        // Build B restores the base and waits in its step; build A restores the same base, runs and saves.
        let errors = dir.file("b.err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        let out = try ChildPipe()
        let b = try ChildProcess(Repository.flowBinary, ["run", "slow.yml", "--state-dir", "b", "--state-url", url], environment: environment,
                                 currentDirectory: dir.url, standardOutput: .pipe(out), standardError: .handle(errorHandle))
        try errorHandle.close()
        let started = try await onOwnThread { () -> Bool in
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("▸ wait") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                seen.append(chunk)
            }
            Thread { _ = out.fileHandleForReading.readDataToEndOfFile() }.start()
            return true
        }
        #expect(started)
        let a = try await flow(["run", "quick.yml", "--state-dir", "a", "--state-url", url], in: dir)
        #expect(a.status == 0, "\(a.stderr)")
        dir.touch("go")
        try await onOwnThread { b.waitUntilExit() }
        let stderr = try String(contentsOf: errors, encoding: .utf8)
        #expect(b.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("state conflict"))

        // The shared state is the base and A's run; B's run is in its own database and its conflict copy.
        let aRuns = try await runIDs("a", in: dir)
        let bRuns = try await runIDs("b", in: dir)
        let bRun = try #require(bRuns.subtracting(baseRuns).first)
        #expect(bRuns == baseRuns.union([bRun]))
        // The conflict (after `wait` finished) stopped the run: `after` was cancelled, not left to run its 30 seconds.
        let bSteps = try await flow(["status", bRun, "--state-dir", "b", "--json"], in: dir)
        let status = try #require(try JSONSerialization.jsonObject(with: Data(bSteps.stdout.utf8)) as? [String: Any])
        let steps = Dictionary(uniqueKeysWithValues: ((status["steps"] as? [[String: Any]]) ?? []).map { ($0["id"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(steps == ["wait": "succeeded", "after": "cancelled"])
        let shared = try await flow(["resume", "--last", "--plan", "--state-dir", "after", "--state-url", url], in: dir)
        #expect(shared.status == 0)
        #expect(try await runIDs("after", in: dir) == aRuns)
        #expect(!aRuns.contains(bRun))
        let prefix = String(url.dropFirst("s3://\(bucket)/".count))
        let copyDir = try TemporaryDirectory()
        defer { copyDir.remove() }
        let conflictKey = try #require(stderr.split(whereSeparator: \.isWhitespace).first { $0.contains("/conflicts/") }.map {
            $0.replacingOccurrences(of: "s3://\(bucket)/", with: "")
        })
        #expect(conflictKey.hasPrefix(prefix + "/conflicts/\(bRun)-"))
        #expect(try await s3().download(bucket: bucket, key: conflictKey, to: copyDir.file("flow.db").path) != nil)
        #expect(try await runIDs(copyDir.url.path, in: dir) == bRuns)
    }

    @Test func aBadStateURLIsBadInput() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("quick.yml", "name: quick\nsteps:\n  a:\n    run: echo a\n")
        let r = try await flow(["run", "quick.yml", "--state-url", "https://bucket/x"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("not an s3:// URL"))
        let missing = try await flow(["run", "quick.yml", "--state-url", "s3://no-such-bucket-here/x"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("NoSuchBucket"))
    }
}
