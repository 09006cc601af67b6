import Foundation

/// The two shared files the AWS CLI and SDKs read: `~/.aws/credentials` and `~/.aws/config`
/// (or the files `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name). A file that does
/// not exist is nil; one that exists but is malformed is an `AWSConfigFileError`.
public struct AWSConfigFiles: Sendable, Equatable {
    /// The credentials file's path as messages show it (`~` for `HOME`); nil without `HOME`
    /// and without `AWS_SHARED_CREDENTIALS_FILE`.
    public var credentialsPath: String?
    public var configPath: String?
    public var credentials: AWSProfileFile?
    public var config: AWSProfileFile?

    public init(credentialsPath: String?, configPath: String?, credentials: AWSProfileFile?, config: AWSProfileFile?) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.credentials = credentials
        self.config = config
    }

    /// Reads both files from where `environment` says they are.
    public init(environment: [String: String]) throws(AWSConfigFileError) {
        let credentialsFile = Self.path(environment["AWS_SHARED_CREDENTIALS_FILE"], default: ".aws/credentials",
                                        environment: environment)
        let configFile = Self.path(environment["AWS_CONFIG_FILE"], default: ".aws/config", environment: environment)
        credentialsPath = credentialsFile?.display
        configPath = configFile?.display
        credentials = try credentialsFile.flatMap { file throws(AWSConfigFileError) in
            try Self.read(file, kind: .credentials)
        }
        config = try configFile.flatMap { file throws(AWSConfigFileError) in try Self.read(file, kind: .config) }
    }

    /// The profile `AWS_PROFILE` names, else `default`.
    public static func selectedProfile(environment: [String: String]) -> String {
        if let name = environment["AWS_PROFILE"], !name.isEmpty { return name }
        return "default"
    }

    /// Whether `AWS_PROFILE` names the profile (then a missing one is an error, not a fall-through).
    public static func profileIsExplicit(environment: [String: String]) -> Bool {
        !(environment["AWS_PROFILE"] ?? "").isEmpty
    }

    /// The profile called `name` with the settings of both files; for a key set in both,
    /// the credentials file's value wins (as in the SDKs). Nil when neither file has it.
    public func profile(_ name: String) -> AWSProfile? {
        let fromConfig = config?.profiles[name]
        let fromCredentials = credentials?.profiles[name]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        var merged = fromConfig ?? AWSProfile(name: name)
        for (key, setting) in fromCredentials?.settings ?? [:] { merged.settings[key] = setting }
        return merged
    }

    /// Every profile name in either file, sorted.
    public var profileNames: [String] {
        Set((credentials?.profiles.keys).map(Array.init) ?? []).union((config?.profiles.keys).map(Array.init) ?? []).sorted()
    }

    struct Location {
        var path: String
        var display: String
    }

    static func path(_ override: String?, default relative: String, environment: [String: String]) -> Location? {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        if let override, !override.isEmpty {
            if override == "~" || override.hasPrefix("~/") {
                guard let home else { return Location(path: override, display: override) }
                return Location(path: home + override.dropFirst(), display: override)
            }
            return Location(path: override, display: display(override, home: home))
        }
        guard let home else { return nil }
        return Location(path: (home.hasSuffix("/") ? home : home + "/") + relative, display: "~/" + relative)
    }

    static func display(_ path: String, home: String?) -> String {
        guard let home, home != "/" else { return path }
        let prefix = home.hasSuffix("/") ? home : home + "/"
        return path.hasPrefix(prefix) ? "~/" + path.dropFirst(prefix.count) : path
    }

    static func read(_ file: Location, kind: AWSProfileFile.Kind) throws(AWSConfigFileError) -> AWSProfileFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else {
            throw AWSConfigFileError(file: file.display, line: 0, message: "is a directory, not a file")
        }
        guard FileManager.default.isReadableFile(atPath: file.path),
              let data = FileManager.default.contents(atPath: file.path) else {
            throw AWSConfigFileError(file: file.display, line: 0, message: "cannot be read (permission denied)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AWSConfigFileError(file: file.display, line: 0, message: "is not UTF-8 text")
        }
        return try AWSProfileFile(parsing: text, path: file.display, kind: kind)
    }
}
