import FlowEngine
import FlowTestSupport
import Foundation
import Testing

@Suite("Process runner: environment, working directory, launch errors")
struct LaunchTests {
    @Test("the environment is exactly the given one plus FLOW_STEP_ID", arguments: RunnerKind.allCases)
    func exactEnvironment(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("env")
        let recorder = OutputRecorder()
        let spec = ProcessSpec(
            executable: "env", // looked up in the PATH given below
            environment: ["PATH": "/usr/bin:/bin", "GREETING": "hello world", "EMPTY": "", "FLOW_STEP_ID": "overridden"],
            marker: marker
        )
        let outcome = try await runner.make().run(spec, output: recorder.handler)
        #expect(outcome.termination == .exited(0))
        let lines = Set(recorder.text.split(separator: "\n").map(String.init))
        #expect(lines == ["PATH=/usr/bin:/bin", "GREETING=hello world", "EMPTY=", "FLOW_STEP_ID=\(marker)"])
    }

    @Test("a bare name is looked up in the PATH of the given environment, not ours", arguments: RunnerKind.allCases)
    func pathOfChildEnvironment(_ runner: RunnerKind) async throws {
        let dir = try ProcessScratchDirectory()
        let tool = dir.path + "/flow-test-tool"
        try writeExecutable("#!/bin/sh\necho tool ran\n", to: tool)
        let recorder = OutputRecorder()
        let spec = ProcessSpec(
            executable: "flow-test-tool",
            environment: ["PATH": "/nonexistent:\(dir.path):/usr/bin:/bin"],
            marker: ProcessTests.marker("path")
        )
        let outcome = try await runner.make().run(spec, output: recorder.handler)
        #expect(outcome.termination == .exited(0))
        #expect(recorder.text == "tool ran\n")
    }

    @Test("the working directory is honoured", arguments: RunnerKind.allCases)
    func workingDirectory(_ runner: RunnerKind) async throws {
        let dir = try ProcessScratchDirectory()
        let recorder = OutputRecorder()
        let spec = ProcessSpec(
            executable: "/bin/pwd",
            environment: ProcessTests.environment,
            workingDirectory: dir.path,
            marker: ProcessTests.marker("cwd")
        )
        _ = try await runner.make().run(spec, output: recorder.handler)
        #expect(recorder.text == dir.path + "\n")
    }

    @Test("an unknown executable is a thrown error naming it", arguments: RunnerKind.allCases)
    func executableNotFound(_ runner: RunnerKind) async throws {
        let spec = ProcessSpec(executable: "flow-no-such-tool-4711", environment: ProcessTests.environment, marker: ProcessTests.marker("nf"))
        let error = try await #require(throws: ProcessLaunchError.self) {
            try await runner.make().run(spec) { _ in }
        }
        #expect(error == .executableNotFound(name: "flow-no-such-tool-4711"))
        #expect("\(error)".contains("flow-no-such-tool-4711"))
        #expect("\(error)".contains("not found"))
    }

    @Test("an absolute path that does not exist is a thrown error naming it", arguments: RunnerKind.allCases)
    func absolutePathNotFound(_ runner: RunnerKind) async throws {
        let spec = ProcessSpec(executable: "/nonexistent/flow-tool", environment: ProcessTests.environment, marker: ProcessTests.marker("nf2"))
        let error = try await #require(throws: ProcessLaunchError.self) {
            try await runner.make().run(spec) { _ in }
        }
        #expect("\(error)".contains("/nonexistent/flow-tool"))
    }

    @Test("a file without execute permission is a thrown error", arguments: RunnerKind.allCases)
    func notExecutable(_ runner: RunnerKind) async throws {
        let dir = try ProcessScratchDirectory()
        let file = dir.path + "/script"
        try "echo hi\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let spec = ProcessSpec(executable: file, environment: ProcessTests.environment, marker: ProcessTests.marker("nx"))
        let error = try await #require(throws: ProcessLaunchError.self) {
            try await runner.make().run(spec) { _ in }
        }
        #expect("\(error)".contains("not executable"))
        #expect("\(error)".contains(file))
    }

    @Test("a missing working directory is a thrown error naming it", arguments: RunnerKind.allCases, ["/nonexistent/flow-dir", "/etc/hostname"])
    func badWorkingDirectory(_ runner: RunnerKind, path: String) async throws {
        let spec = ProcessSpec(executable: "/bin/true", environment: ProcessTests.environment, workingDirectory: path, marker: ProcessTests.marker("wd"))
        let error = try await #require(throws: ProcessLaunchError.self) {
            try await runner.make().run(spec) { _ in }
        }
        #expect("\(error)".contains("working directory"))
        #expect("\(error)".contains(path))
    }

    @Test("an empty marker is refused (it could match unrelated processes)", arguments: RunnerKind.allCases)
    func emptyMarker(_ runner: RunnerKind) async throws {
        let spec = ProcessSpec(executable: "/bin/true", environment: ProcessTests.environment, marker: "")
        await #expect(throws: ProcessLaunchError.self) {
            try await runner.make().run(spec) { _ in }
        }
    }
}

/// A fresh directory under the temporary directory, removed on deinit; `path` has no symlinks.
final class ProcessScratchDirectory {
    let path: String

    init() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        let url = base.appendingPathComponent("flow-proc-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
