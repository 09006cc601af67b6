/// What decides whether a `RUN pip install` leaves pip's cache in the layer, besides the command:
/// the cache mounts of that `RUN` and the environment in effect (from `ENV`/`ARG`), gathered by
/// the Dockerfile analysis.
public struct PipCacheContext: Sendable, Hashable {
    /// Targets of the `RUN`'s `--mount=type=cache` (or `type=tmpfs`) mounts.
    public var cacheMountTargets: [String]
    /// `ENV` values in effect (`PIP_NO_CACHE_DIR`, `PIP_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME`).
    public var environment: [String: String]

    /// Makes a value from its parts.
    public init(cacheMountTargets: [String] = [], environment: [String: String] = [:]) {
        self.cacheMountTargets = cacheMountTargets
        self.environment = environment
    }
}

extension PythonRules {
    /// The values pip accepts for `PIP_NO_CACHE_DIR` (its strtobool); any of them disables the cache.
    static let booleanWords: Set<String> = ["1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f"]

    /// `DL3042`: `pip install` without `--no-cache-dir` keeps pip's download and wheel cache in
    /// the image layer. Fix: insert ` --no-cache-dir` after `install`.
    ///
    /// Decided: the point of the rule is a cache that ends up in the layer, so it is silent when
    /// - `--no-cache-dir` is given (or `--no-cache`, optparse's abbreviation of it), or
    /// - `PIP_NO_CACHE_DIR` is set, in `ENV` or before the command, to any value pip accepts —
    ///   pip then disables the cache whatever the value says ("0" and "false" included), or
    /// - the `RUN` mounts a cache (or tmpfs) over pip's cache directory, e.g.
    ///   `RUN --mount=type=cache,target=/root/.cache/pip`: the cache then lives outside the
    ///   layer, which is also faster for rebuilds. pip's cache directory is `--cache-dir`, else
    ///   `PIP_CACHE_DIR`, else `$XDG_CACHE_HOME/pip`, else `$HOME/.cache/pip` (HOME `/root`
    ///   unless given); since the user is not always known, any target ending in `/.cache` or
    ///   `/.cache/pip` also counts.
    /// `uv pip install` is not checked: DL3042 is about pip's flag (uv spells it `--no-cache`).
    public static func pipCache(_ command: PipInstallCommand, context: PipCacheContext = PipCacheContext()) -> [Finding] {
        guard command.runner != .uv, !command.noCacheDir else { return [] }
        var environment = context.environment
        environment.merge(command.environment) { _, command in command }
        if let value = environment["PIP_NO_CACHE_DIR"], booleanWords.contains(value.lowercased()) { return [] }
        if context.cacheMountTargets.contains(where: { covers($0, command: command, environment: environment) }) { return [] }
        let fix = Fix("Add `--no-cache-dir` after `install`", edits: [
            TextEdit(file: command.installWord.span.file, offset: command.insertionOffset, length: 0, replacement: " --no-cache-dir"),
        ])
        return [Finding(rule: noCacheDirRule, severity: .warning, span: command.commandSpan, message:
            "`pip install` without `--no-cache-dir` keeps pip's cache in the image layer; add `--no-cache-dir` "
            + "or mount a cache (`RUN --mount=type=cache,target=/root/.cache/pip`)", fix: fix)]
    }

    /// Whether a mount at `target` holds pip's cache directory.
    static func covers(_ target: String, command: PipInstallCommand, environment: [String: String]) -> Bool {
        let mount = trimmedPath(target)
        if mount.hasSuffix("/.cache") || mount.hasSuffix("/.cache/pip") || mount == ".cache" || mount == ".cache/pip" { return true }
        let cache: String
        if let explicit = command.cacheDirectory?.text {
            cache = explicit
        } else if let configured = environment["PIP_CACHE_DIR"], !configured.isEmpty {
            cache = configured
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = xdg + "/pip"
        } else {
            cache = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root") + "/.cache/pip"
        }
        let directory = trimmedPath(cache)
        return directory == mount || directory.hasPrefix(mount == "/" ? "/" : mount + "/")
    }

    private static func trimmedPath(_ path: String) -> String {
        RequirementsSet.normalize(path)
    }
}
