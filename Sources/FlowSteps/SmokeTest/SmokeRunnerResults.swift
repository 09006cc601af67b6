import Foundation

/// The runner's `results.jsonl`, read back and judged: version clauses and markers are
/// evaluated here, with `analyze`'s PEP 440 and PEP 508 code, on what the runner found.
public struct SmokeRunnerResults: Sendable {
    /// One line of `results.jsonl`.
    struct Line: Decodable {
        var event: String
        var id: String?
        var status: SmokeResult.Status?
        var time: Double?
        var message: String?
        var exception: String?
        var traceback: [String]?
        var output: String?
        var data: [String: String]?
        var python: String?
        var markers: [String: String]?
    }

    /// Whether the runner started (Python ran it).
    public var started = false
    /// Whether it wrote its last line.
    public var finished = false
    public var python: String?
    public var markers: [String: String] = [:]
    var ended: [String: Line] = [:]
    /// The check that started and never ended (the interpreter died in it).
    public var interrupted: String?

    /// Reads `text`; lines that do not parse (a write cut short) are ignored.
    public static func parse(_ text: String) -> SmokeRunnerResults {
        var results = SmokeRunnerResults()
        let decoder = JSONDecoder()
        var open: String?
        for line in text.split(separator: "\n") {
            guard let parsed = try? decoder.decode(Line.self, from: Data(line.utf8)) else { continue }
            switch parsed.event {
            case "runner":
                results.started = true
                results.python = parsed.python
                results.markers = parsed.markers ?? [:]
            case "start": open = parsed.id
            case "end":
                if let id = parsed.id { results.ended[id] = parsed }
                open = nil
            case "done": results.finished = true
            default: break
            }
        }
        results.interrupted = open
        return results
    }

    /// The result of `check`; `died` says how the runner ended when it did not finish.
    public func result(of check: SmokeCheck, died: String?) -> SmokeResult {
        var result = SmokeResult(name: check.name, classname: "smoke-test.\(check.level.rawValue)", kind: check.kind.rawValue, status: .failed)
        guard let line = ended[check.id] else {
            if check.id == interrupted {
                result.message = "the Python process died while running this check (\(died ?? "it ended early"))"
                result.hint = "an extension module crashed the interpreter or the container ran out of memory; see the step log"
            } else {
                result.message = "not run: the runner ended before this check (\(died ?? "it ended early"))"
            }
            return result
        }
        result.status = line.status ?? .failed
        result.time = line.time ?? 0
        result.message = line.message
        result.exception = line.exception
        result.traceback = line.traceback
        result.output = line.output
        result.details = line.data?.isEmpty == false ? line.data : nil
        if let requirement = check.requirement, let marker = requirement.marker, marker.evaluate(environment: markers) == false {
            result.status = .skipped
            result.message = "its marker `\(marker)` is false in the image (\(requirement.origin))"
            return result
        }
        switch check.kind {
        case .version where result.status == .passed:
            judgeVersion(&result, check: check)
        case .import where result.status == .failed:
            if result.exception == "ModuleNotFoundError" || result.exception == "ImportError", let name = check.distribution {
                result.hint = result.details?["installed"] == nil
                    ? "\(name) is not installed in the image: check that the build installs \(check.requirement?.origin ?? "it")"
                    : "\(name) is installed but its module does not import; if its import name differs, set `import-names: { \(name): MODULE }`"
            }
        case .torchImport where result.status == .failed, .torchMatmul where result.status == .failed,
             .torchDistributed where result.status == .failed:
            if result.message?.hasPrefix("torch does not import") == true || result.exception == "ModuleNotFoundError" {
                result.hint = "torch is not installed in the image: install it, or use `level: quick` for an image without torch"
            }
        default: break
        }
        return result
    }

    /// A version check passes when the installed version satisfies the requirement's clauses
    /// (PEP 440: `2.13.0+cpu` satisfies `==2.13.0`, not `==2.13.1`).
    func judgeVersion(_ result: inout SmokeResult, check: SmokeCheck) {
        guard let requirement = check.requirement, let installed = result.details?["installed"] else { return }
        guard let version = PythonVersion(installed) else {
            result.status = .failed
            result.message = "\(requirement.name) \(installed) is installed, which is not a PEP 440 version; cannot compare it with \(requirement.specifiers)"
            return
        }
        if requirement.specifiers.contains(version, prereleases: true) {
            result.message = "\(requirement.name) \(installed) is installed (\(requirement.specifiers))"
        } else {
            result.status = .failed
            result.exception = "VersionMismatch"
            result.message = "\(requirement.name) \(installed) is installed; \(requirement.origin) asks for \(requirement.specifiers)"
            result.hint = "the image installed another version than the pin: a later `pip install` replaced it, or the index served another; pin it once and install everything in one `pip install`"
        }
    }
}
