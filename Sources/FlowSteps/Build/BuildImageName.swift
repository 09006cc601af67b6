import FlowEngine

/// The names `build` puts on the image it made: `image` (`name:tag`, `:latest` when no tag is
/// given) and each of `tags` (a bare tag goes on the image's repository; `name:tag` as it is).
public struct BuildImageName: Sendable, Hashable {
    /// `name:tag` of the `image` input.
    public var primary: String
    /// Every name to tag, `primary` first, without repeats.
    public var all: [String]

    /// Reads `image` and `tags`, or throws a terminal error naming the input at fault.
    public init(image: String, tags: [String]) throws {
        guard BuildDockerfile.isImageReference(image), !image.hasSuffix(":"), !image.hasPrefix("/"), !image.contains("@") else {
            throw StepError("image: `\(image)` is not an image name; write `name:tag` (e.g. `fsdp:dev`, `registry.example.com/team/fsdp:1.0`)",
                            kind: .terminal)
        }
        let repository: String
        if let tagStart = Self.tagSeparator(in: image) {
            repository = String(image[..<tagStart])
            primary = image
        } else {
            repository = image
            primary = image + ":latest"
        }
        guard !repository.isEmpty, repository == repository.lowercased() else {
            throw StepError("image: `\(image)`: a repository name is lower case", kind: .terminal)
        }
        var names = [primary]
        for tag in tags {
            let name: String
            if tag.contains(":") || tag.contains("/") {
                guard BuildDockerfile.isImageReference(tag), Self.tagSeparator(in: tag) != nil, !tag.contains("@") else {
                    throw StepError("tags: `\(tag)` is neither a tag (`v1`) nor an image name with a tag (`name:v1`)", kind: .terminal)
                }
                name = tag
            } else {
                guard Self.isTag(tag) else {
                    throw StepError("tags: `\(tag)` is not a tag: at most 128 of letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
                                    kind: .terminal)
                }
                name = repository + ":" + tag
            }
            if !names.contains(name) { names.append(name) }
        }
        all = names
    }

    /// The `:` before the tag: the last one after the last `/` (a registry's port is not a tag).
    static func tagSeparator(in name: String) -> String.Index? {
        guard let colon = name.lastIndex(of: ":") else { return nil }
        if let slash = name.lastIndex(of: "/"), slash > colon { return nil }
        return colon
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`, the OCI distribution spec's tag.
    static func isTag(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 128, first != ".", first != "-" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }
}
