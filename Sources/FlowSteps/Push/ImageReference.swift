/// An image name taken apart as docker and buildah read it: `[registry/]path[:tag][@digest]`,
/// where the first component is a registry when it holds `.` or `:` or is `localhost`.
public struct ImageReference: Sendable, Hashable {
    public var registry: String?
    public var repository: String
    public var tag: String?

    public init?(_ name: String) {
        var rest = Substring(name)
        if let at = rest.firstIndex(of: "@") { rest = rest[..<at] }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = components.first, !first.isEmpty else { return nil }
        var pathParts = components
        if components.count > 1, first.contains(".") || first.contains(":") || first == "localhost" {
            registry = String(first)
            pathParts = Array(components.dropFirst())
        }
        var path = pathParts.joined(separator: "/")
        if let colon = path.lastIndex(of: ":") {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        }
        guard !path.isEmpty else { return nil }
        repository = path
    }

    /// The distribution spec's repository grammar: lowercase components of `[a-z0-9]` joined by
    /// `.`, `_`, `__` or `-`s, separated by `/`.
    public static func isValidRepository(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 255 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            guard let first = component.first, let last = component.last,
                  first.isASCII, last.isASCII, first.isLowercase || first.isNumber, last.isLowercase || last.isNumber else { return false }
            return component.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
                && !component.contains("..") && !component.contains("___")
        }
    }
}

/// `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`: an ECR registry's host.
public struct ECRRegistryHost: Sendable, Hashable {
    public var account: String
    public var region: String

    public init(account: String, region: String) {
        self.account = account
        self.region = region
    }

    public init?(_ host: String) {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 6, labels[1] == "dkr", labels[2] == "ecr", labels[4] == "amazonaws",
              labels.count == 6 || (labels.count == 7 && labels[6] == "cn"), labels[5] == "com",
              labels[0].count == 12, labels[0].allSatisfy(\.isNumber), !labels[3].isEmpty else { return nil }
        account = labels[0]
        region = labels[3]
    }

    public var host: String {
        "\(account).dkr.ecr.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : "")
    }
}
