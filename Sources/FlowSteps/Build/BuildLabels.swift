import Foundation
import FlowEngine

/// The labels `build` puts on an image: the OCI annotations that say where it came from
/// (`org.opencontainers.image.revision`, `.created`, `.source`), `flow.run-id`, and the step's
/// own `labels`. A user label may replace one of flow's OCI labels (it knows better, e.g. a
/// public source URL); the `flow.` namespace is flow's and is refused.
public enum BuildLabels {
    public static let revision = "org.opencontainers.image.revision"
    public static let created = "org.opencontainers.image.created"
    public static let source = "org.opencontainers.image.source"
    public static let runID = "flow.run-id"

    /// The labels for a build: flow's, then the user's over them. Throws a terminal error for a
    /// user label in the `flow.` namespace or with an empty key.
    public static func make(runID: String, gitSHA: String?, created: Date, source: String?,
                            user: [String: String]) throws -> [String: String] {
        var labels = [Self.created: rfc3339(created)]
        if !runID.isEmpty { labels[Self.runID] = runID }
        if let gitSHA, !gitSHA.isEmpty { labels[revision] = gitSHA }
        if let source, !source.isEmpty { labels[Self.source] = source }
        for key in user.keys.sorted() {
            if key.isEmpty || key.contains("=") || key.contains("\n") {
                throw StepError("labels: `\(key)` is not a label key; keys are non-empty and hold no `=` or newline", kind: .terminal)
            }
            if key.lowercased().hasPrefix("flow.") {
                throw StepError("labels: `\(key)` is in the `flow.` namespace, which flow sets itself (`flow.run-id`); use a key of your own",
                                kind: .terminal)
            }
            labels[key] = user[key]
        }
        return labels
    }

    /// `2026-12-07T10:15:00Z`: RFC 3339 in UTC, whole seconds.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// A remote URL fit for a label: credentials in it (`https://user:token@host/…`) removed.
    /// scp-like addresses (`git@github.com:org/repo.git`) are kept as they are.
    public static func publicSource(_ remote: String) -> String? {
        let trimmed = remote.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.contains("\n") else { return nil }
        guard let scheme = trimmed.range(of: "://") else { return trimmed }
        let rest = trimmed[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return trimmed }
        return String(trimmed[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
