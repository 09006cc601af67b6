import Foundation
import FlowCore

/// The pipelines a schedule daemon watches: every `*.yml` and `*.yaml` file directly in one
/// folder, checked again when its bytes change, so edited, added
/// and removed files take effect without a restart. A file that stops being valid keeps its last
/// good version until it is fixed, and says so once per change. Prints nothing: ``refresh()``
/// returns what changed.
public struct ScheduleFolder: Sendable {
    public enum Change: Sendable {
        /// A file read for the first time, or again after a change (its entries, maybe none).
        case loaded(file: String, rules: [ScheduleRule])
        /// A file that does not check; `keeping` is how many entries of its last good version
        /// stay in force (nil when it never had one).
        case invalid(file: String, diagnostics: [Diagnostic], keeping: Int?)
        /// A file gone from the folder; its entries stop firing.
        case removed(file: String)
        /// The folder itself cannot be read.
        case unreadable(folder: String, reason: String)
    }

    private struct Watched: Sendable {
        /// What was read last time (nil: it could not be read), to see whether it changed.
        var bytes: [UInt8]?
        var problems: [Diagnostic]
        /// The last good version's rules; nil when the file never checked.
        var rules: [ScheduleRule]?
    }

    public let folder: String
    public let source: PipelineSource
    private var watched: [String: Watched] = [:]
    private var unreadable = false

    public init(folder: String, source: PipelineSource) {
        self.folder = folder
        self.source = source
    }

    /// The rules in force, in file order, then entry order. (A file whose pipeline name another
    /// file already uses holds none: ``refresh()`` refuses it, since fires are recorded by name.)
    public var rules: [ScheduleRule] {
        watched.keys.sorted().flatMap { watched[$0]?.rules ?? [] }
    }

    /// Looks at the folder again and reloads what changed.
    public mutating func refresh() -> [Change] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            // Said once, not on every look, until it can be read again.
            if unreadable { return [] }
            unreadable = true
            var isDirectory: ObjCBool = false
            let reason = !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) ? "no such folder"
                : !isDirectory.boolValue ? "it is not a folder" : "it cannot be read (permissions?)"
            return [.unreadable(folder: folder, reason: reason)]
        }
        unreadable = false
        let files = names.filter { ($0.hasSuffix(".yml") || $0.hasSuffix(".yaml")) && !$0.hasPrefix(".") }
            .map { (folder as NSString).appendingPathComponent($0) }
        var changes: [Change] = []
        for file in watched.keys.sorted() where !files.contains(file) {
            watched[file] = nil
            changes.append(.removed(file: file))
        }
        // The step types are read only when a file is to be checked, not on every look.
        var options: ValidationOptions?
        for file in files.sorted() {
            // Read every time, not only when the modification time moves: two edits within one
            // tick of the file system's clock leave it the same. Pipeline files are small, and a
            // huge or blocking one is refused before it is read.
            let (bytes, readProblems) = source.read(file)
            let previous = watched[file]
            if let previous, previous.bytes == bytes, bytes != nil || previous.problems == readProblems { continue }
            var pipeline: Pipeline?
            var diagnostics = readProblems
            if let bytes {
                let checkOptions = options ?? PipelineSource.options(catalog: source.registry().0.catalog)
                options = checkOptions
                let checked = PipelineCheck.check(bytes, file: file, options: checkOptions, limits: source.limits)
                pipeline = checked.0
                diagnostics += checked.1
            }
            let errors = diagnostics.filter { $0.severity == .error }
            if let pipeline, errors.isEmpty {
                if let other = rules.first(where: { $0.pipeline == pipeline.name.value && $0.file != file }) {
                    let problem = Diagnostic.error(pipeline.name.location,
                        "pipeline name `\(pipeline.name.value)` is already used by \(other.file); fires are recorded by name, so this file's schedule is not used",
                        notes: [Diagnostic.Note("give one of them another `name:`")])
                    watched[file] = Watched(bytes: bytes, problems: [problem], rules: nil)
                    changes.append(.invalid(file: file, diagnostics: [problem], keeping: nil))
                    continue
                }
                let found = ScheduleRule.rules(of: pipeline)
                watched[file] = Watched(bytes: bytes, problems: [], rules: found)
                changes.append(.loaded(file: file, rules: found))
            } else {
                watched[file] = Watched(bytes: bytes, problems: readProblems, rules: previous?.rules)
                changes.append(.invalid(file: file, diagnostics: errors, keeping: previous?.rules?.count))
            }
        }
        return changes
    }
}
