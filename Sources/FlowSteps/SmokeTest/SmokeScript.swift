import Foundation
import FlowCore
import FlowEngine

/// The `full` level's user script: a workspace file (copied into the attempt's folder and
/// mounted read-only, so a FIFO, a symbolic link swapped later or a huge file never reaches the
/// container) or a path inside the image, run with its own timeout in its own container run.
public struct SmokeScript: Sendable, Hashable {
    /// Where the script is.
    public enum Location: Sendable, Hashable {
        /// A copy of a workspace file: the copy's folder on the host and the file's name.
        case workspace(original: String, folder: String, name: String)
        case image(String)
    }

    public var location: Location
    public var arguments: [String]

    /// The folder the copy is mounted at in the container.
    static let mountPoint = "/run/flow-smoke/script"
    public static let maximumSize = 4 << 20

    /// Finds `path`: a file in the workspace (relative to the step's working directory, or
    /// absolute) is copied into `scratch`; an absolute path that is not on this machine names a
    /// file in the image. Anything else is a terminal error naming the input.
    public static func locate(_ path: String, arguments: [String], files: AnalysisFiles, scratch: String) throws -> SmokeScript {
        guard !path.isEmpty else { throw StepError("script: the path is empty; name a Python file", kind: .terminal) }
        if files.exists(path) {
            let bytes: [UInt8]
            do {
                bytes = try UntrustedFile.read(files.absolute(path), limit: maximumSize, links: .follow)
            } catch {
                throw StepError("script: \(error); give a regular file of at most \(maximumSize >> 20) MiB", kind: .terminal)
            }
            let name = (path as NSString).lastPathComponent
            let copyName = name.hasSuffix(".py") ? name : "script.py"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            chmod(scratch, 0o755)
            let copy = scratch + "/" + copyName
            guard FileManager.default.createFile(atPath: copy, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
                throw StepError("cannot copy the script to \(copy)", kind: .terminal)
            }
            return SmokeScript(location: .workspace(original: path, folder: scratch, name: copyName), arguments: arguments)
        }
        guard path.hasPrefix("/") else {
            throw StepError("script: \(path) does not exist in the workspace (\(files.root)); give a workspace path, or an absolute path inside the image",
                            kind: .terminal)
        }
        return SmokeScript(location: .image(path), arguments: arguments)
    }

    /// What the log and the report call it.
    public var shownPath: String {
        switch location {
        case .workspace(let original, _, _): original
        case .image(let path): path + " (in the image)"
        }
    }

    /// Runs the script and judges it: exit 0 passes; otherwise the case names the exception and
    /// the traceback's last lines when Python printed one, else the exit and the output's tail.
    func run(check: SmokeCheck, image: String, python: String, engine: ContainerEngine, timeout: DurationValue,
             context: StepContext) async throws -> SmokeResult {
        var mounts: [ContainerRun.Mount] = []
        let target: String
        switch location {
        case .workspace(_, let folder, let name):
            mounts.append(.init(host: folder, container: Self.mountPoint, readOnly: true))
            target = Self.mountPoint + "/" + name
        case .image(let path):
            target = path
        }
        let run = ContainerRun(image: image, command: [python, target] + arguments, mounts: mounts,
                               environment: ["PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"])
        var scriptContext = context
        scriptContext.attemptDirectory = context.attemptDirectory + "/smoke-script-run"
        try FileManager.default.createDirectory(atPath: scriptContext.attemptDirectory, withIntermediateDirectories: true)
        scriptContext.timeout = .milliseconds(timeout.milliseconds)
        var result = SmokeResult(name: check.name, classname: "smoke-test.full", kind: check.kind.rawValue, status: .passed)
        context.log.note("smoke-test: running \(shownPath) (timeout \(timeout))")
        let started = context.clock.now()
        var output = ""
        do {
            let captured = try await engine.run(run, context: scriptContext, capture: true)
            output = captured.text
            result.message = "exited with code 0"
        } catch let error as StepError {
            result.status = .failed
            let (message, exception, traceback) = Self.judge(error: error, log: context.log.tail(lines: 200), timeout: timeout)
            result.message = message
            result.exception = exception
            result.traceback = traceback
        }
        result.time = max(0, context.clock.now().timeIntervalSince(started))
        if !output.isEmpty { result.output = String(output.suffix(16384)) }
        return result
    }

    /// The failure's message, exception type and traceback lines from what the script printed.
    static func judge(error: StepError, log: [String], timeout: DurationValue) -> (String, String?, [String]) {
        if error.timedOut {
            return ("the script did not finish within script-timeout (\(timeout))", "Timeout", Array(log.suffix(12)))
        }
        guard let start = log.lastIndex(where: { $0.hasPrefix("Traceback (most recent call last):") }) else {
            return ("the script \(error.message)", nil, Array(log.suffix(12)))
        }
        // The exception line is the first one after the frames that is not indented.
        let rest = log[(start + 1)...]
        let end = rest.firstIndex { !$0.hasPrefix(" ") } ?? log.endIndex
        let exceptionLine = end < log.endIndex ? log[end] : nil
        let name = exceptionLine.map { String($0.prefix { $0 != ":" }) }
        let exception = name.flatMap { ImportNames.isModuleName($0) ? String($0.split(separator: ".").last ?? "") : nil }
        let traceback = Array(log[start...min(end, log.endIndex - 1)])
        return ((exceptionLine ?? "the script \(error.message)") + " (\(error.message))", exception, Array(traceback.suffix(12)))
    }
}
