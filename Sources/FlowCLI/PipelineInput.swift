import Foundation
import FlowCore

/// Reads pipeline files and the user's step types from disk and hands them to FlowCore as
/// bytes and values; everything the core needs from the world comes through here.
struct PipelineInput {
    let limits = YAMLLimits()
    var stepsDirectory: String

    /// The catalog: built-ins plus every `steps/<name>/step.yml`, with problems found in those files.
    func catalog() -> (StepCatalog, [Diagnostic]) {
        var catalog = StepCatalog.builtins
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        guard let folders = try? fm.contentsOfDirectory(atPath: stepsDirectory) else { return (catalog, []) }
        for folder in folders.sorted() {
            let dir = (stepsDirectory as NSString).appendingPathComponent(folder)
            let file = (dir as NSString).appendingPathComponent("step.yml")
            guard fm.fileExists(atPath: file) else { continue }
            let (bytes, readProblem) = read(file)
            guard let bytes else { diagnostics += readProblem; continue }
            let (definition, found) = StepDefinition.load(bytes, file: file, folder: folder, limits: limits)
            diagnostics += found
            guard let definition else { continue }
            if case .script(let script) = definition.command,
               !fm.fileExists(atPath: (dir as NSString).appendingPathComponent(script.value)) {
                diagnostics.append(.error(script.location, Messages.stepDefinitionScriptMissing(script.value)))
                continue
            }
            catalog.register(definition.signature)
        }
        return (catalog, diagnostics)
    }

    /// The file's bytes, or a diagnostic when it cannot be read or is over the size bound
    /// (checked before reading, so a 100 MB file costs nothing).
    func read(_ path: String) -> ([UInt8]?, [Diagnostic]) {
        let at = SourceLocation(file: path, line: 0, column: 0)
        var info = stat()
        guard stat(path, &info) == 0 else {
            return (nil, [.error(at, Messages.cannotRead(path, String(cString: strerror(errno))))])
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return (nil, [.error(at, Messages.cannotRead(path, "it is a directory"))])
        }
        if Int(info.st_size) > limits.maxBytes {
            return (nil, [.error(SourceLocation(file: path, line: 1, column: 1), Messages.fileTooLarge(bytes: Int(info.st_size), limit: limits.maxBytes))])
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return (nil, [.error(at, Messages.cannotRead(path, "permission denied or not a regular file"))])
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limits.maxBytes + 1)) ?? Data()
        return ([UInt8](data), [])
    }

    static func options(catalog: StepCatalog) -> ValidationOptions {
        ValidationOptions(catalog: catalog, isKnownTimeZone: { TimeZone(identifier: $0) != nil })
    }
}
