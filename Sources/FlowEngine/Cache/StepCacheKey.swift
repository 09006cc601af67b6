import Foundation
import FlowCore

/// A memoized step's key (`cache:`): one SHA-256 over everything its result depends on, as far
/// as flow can see it.
/// - its id, its type and the type's version (``StepTypeCacheKey``: flow's version for built-in
///   types, the files of its folder for a type under `steps/`);
/// - its inputs as evaluated (for a `run:` step, the script and its interpreter), the values
///   of what the pipeline set in its environment (the pipeline's and the step's `env:`, the
///   script's expressions, secrets), its working directory and the run's image map;
/// - the files its type names (`build`: the context and the Dockerfile), by content;
/// - what `key:` adds: each value as rendered, and the files each `files:` pattern matches, by
///   content; and the `paths:` it saves.
///
/// Every value is masked before it is hashed: a secret's value is never part of a key (a key
/// does not change when only a secret does), so no digest of one is stored. What flow cannot
/// see is not in the key (a base image a tag names, the network): put what stands for it in
/// `key:`.
struct StepCacheKey {
    static let scheme = "flow-cache/1"

    private var hash = SHA256()

    /// A length-prefixed field: no two different keys hash the same bytes.
    private mutating func field(_ tag: String, _ value: String) {
        hash.update(Array("\(tag.utf8.count):\(tag)\(value.utf8.count):".utf8))
        hash.update(Array(value.utf8))
        hash.update([0x0a])
    }

    struct Parts {
        var step: PlannedStep
        var cache: PlannedCache
        var inputs: ExpressionValue
        var environment: [String: String]
        /// The environment names the pipeline set (``StepContext/declaredEnvironment``).
        var declared: [String]
        /// The step's working directory, relative to the workspace where under it.
        var workingDirectory: String
        var images: [String: String]
        var type: StepTypeCacheKey?
    }

    /// The key of a step about to start: `sha256:…`. Throws when a file it names cannot be read.
    static func digest(_ parts: Parts, context: EvaluationContext, files: CacheFiles, mask: (String) -> String) throws -> String {
        var key = StepCacheKey()
        key.field("scheme", scheme)
        key.field("step", parts.step.id)
        key.field("uses", parts.step.uses)
        key.field("version", parts.type?.version ?? "")
        key.field("inputs", mask(parts.inputs.toJSON(pretty: false)))
        for name in parts.declared.sorted() where name != "FLOW_RUN_ID" {
            key.field("env " + name, mask(parts.environment[name] ?? ""))
        }
        key.field("working-directory", parts.workingDirectory)
        for (name, image) in parts.images.sorted(by: { $0.key < $1.key }) { key.field("image " + name, mask(image)) }
        let directory = parts.workingDirectory.hasPrefix("/") ? parts.workingDirectory : files.workspace + "/" + parts.workingDirectory
        for path in parts.type?.files ?? [] {
            key.field("type-files", path)
            for entry in try files.tree(named: path, from: directory) { key.field(entry.path, entry.digest) }
        }
        for part in parts.cache.key {
            switch part {
            case .value(let template):
                key.field("value", mask(try template.render(in: context)))
            case .files(let patterns):
                for pattern in patterns {
                    key.field("files", pattern)
                    for entry in try files.matching(pattern) { key.field(entry.path, entry.digest) }
                }
            }
        }
        for path in parts.cache.paths { key.field("path", path) }
        return "sha256:" + key.hash.finalizeHex()
    }
}
