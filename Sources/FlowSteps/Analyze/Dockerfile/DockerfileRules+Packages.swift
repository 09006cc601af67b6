/// Version pinning for other package managers: DL3016 (npm), DL3018 (apk), DL3033 (yum), DL3041 (dnf).
extension DockerfileRuleRun {
    mutating func checkPackageManagers() {
        for run in shellRuns(includingTriggers: true) {
            for command in run.shell.commands {
                switch command.baseName {
                case "npm":
                    let packages = Self.packages(of: command, subcommands: ["install", "i", "add"], optionsWithValue: ["--registry", "--prefix", "--tag"])
                    reportUnpinned("DL3016", packages.filter { !Self.npmPinned($0.text) }, tool: "npm install", example: "@<version>")
                case "apk":
                    let packages = Self.packages(of: command, subcommands: ["add"],
                                                 optionsWithValue: ["-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root",
                                                                    "--keys-dir", "--arch", "--cache-dir"])
                    reportUnpinned("DL3018", packages.filter { !Self.apkPinned($0.text) }, tool: "apk add", example: "=<version>")
                case "yum":
                    let packages = Self.packages(of: command, subcommands: ["install"], optionsWithValue: Self.rpmOptionsWithValue)
                    reportUnpinned("DL3033", packages.filter { !Self.rpmPinned($0.text) }, tool: "yum install", example: "-<version>")
                case "dnf", "microdnf", "dnf5":
                    let packages = Self.packages(of: command, subcommands: ["install"], optionsWithValue: Self.rpmOptionsWithValue)
                    reportUnpinned("DL3041", packages.filter { !Self.rpmPinned($0.text) }, tool: "dnf install", example: "-<version>")
                default:
                    break
                }
            }
        }
    }

    private static let rpmOptionsWithValue: Set<String> = ["-c", "--config", "--installroot", "--enablerepo", "--disablerepo", "-x",
                                                           "--exclude", "--releasever", "--setopt", "--repo", "--repoid"]

    /// The package words after `subcommand` (options and their values left out); empty when the
    /// command is not that subcommand.
    static func packages(of command: ShellCommand, subcommands: Set<String>, optionsWithValue: Set<String>) -> [ShellWord] {
        var subcommand: String?
        var packages: [ShellWord] = []
        var index = 1
        let words = command.words
        while index < words.count {
            let word = words[index]
            index += 1
            if word.text.hasPrefix("-") {
                if optionsWithValue.contains(word.text) { index += 1 }
                continue
            }
            if subcommand == nil {
                subcommand = word.text
                guard subcommands.contains(word.text) else { return [] }
            } else if !word.text.contains("$") {
                packages.append(word)
            }
        }
        return packages
    }

    private mutating func reportUnpinned(_ rule: String, _ unpinned: [ShellWord], tool: String, example: String) {
        guard let first = unpinned.first else { return }
        let names = unpinned.prefix(5).map(\.text).joined(separator: ", ") + (unpinned.count > 5 ? ", …" : "")
        report(rule, first.span, "Pin versions in \(tool) (\(names)): `\(first.text)\(example)`.")
    }

    static func npmPinned(_ package: String) -> Bool {
        if package.hasPrefix(".") || package.hasPrefix("/") || package.hasPrefix("~") || package.contains("://")
            || package.hasPrefix("git+") || package.hasPrefix("file:") || package.hasPrefix("github:") || package.hasSuffix(".tgz")
            || package.hasSuffix(".tar.gz") || package.contains("#") {
            return true
        }
        let unscoped = package.hasPrefix("@") ? String(package.dropFirst()) : package
        if !package.hasPrefix("@"), unscoped.contains("/") { return true }
        return unscoped.contains("@")
    }

    static func apkPinned(_ package: String) -> Bool {
        package.contains("=") || package.contains(">") || package.contains("<") || package.hasSuffix(".apk") || package.contains("/")
    }

    /// `name-1.2.3`, an `.rpm` file or URL, or a path.
    static func rpmPinned(_ package: String) -> Bool {
        if package.hasSuffix(".rpm") || package.contains("/") || package.hasPrefix("@") { return true }
        let bytes = Array(package.utf8)
        for index in bytes.indices.dropLast() where bytes[index] == DockerfileASCII.dash {
            let next = bytes[index + 1]
            if next >= DockerfileASCII.zero, next <= DockerfileASCII.nine { return true }
        }
        return package.contains("=") || package.contains(">") || package.contains("<")
    }
}
