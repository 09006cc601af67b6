import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

@Suite struct AWSConfigFilesTests {
    @Test func credentialsFileSectionsAreBareNamesAndConfigFileSectionsSayProfile() throws {
        let credentials = try AWSProfileFile(parsing: """
            [default]
            aws_access_key_id = AKIADEFAULT
            [prod]
            aws_access_key_id = AKIAPROD
            [profile odd]
            aws_access_key_id = AKIAODD
            """, path: "~/.aws/credentials", kind: .credentials)
        #expect(credentials.profiles.keys.sorted() == ["default", "prod", "profile odd"])
        #expect(credentials.profiles["prod"]?["aws_access_key_id"] == "AKIAPROD")

        let config = try AWSProfileFile(parsing: """
            [default]
            region = us-east-1
            [profile prod]
            region = eu-west-1
            [prod]
            region = ignored-without-profile-prefix
            [sso-session corp]
            sso_region = us-east-2
            [services local]
            s3 =
              endpoint_url = http://localhost:4566
            """, path: "~/.aws/config", kind: .config)
        #expect(config.profiles.keys.sorted() == ["default", "prod"])
        #expect(config.profiles["prod"]?["region"] == "eu-west-1")
    }

    @Test func commentsBlankLinesCaseAndWhitespaceFollowTheSharedFormat() throws {
        let file = try AWSProfileFile(parsing: """
            \u{FEFF}# a comment
            ; another comment

            [default]   # trailing comment on a header
            Region=eu-central-1 ; the region
            AWS_Access_Key_Id   =   AKIAMIXEDCASE
            output = json#not-a-comment
            credential_process = /bin/tool --flag "a b"  # comment
            \r
            """, path: "config", kind: .config)
        let profile = try #require(file.profiles["default"])
        #expect(profile["region"] == "eu-central-1")
        #expect(profile["REGION"] == "eu-central-1")
        #expect(profile["aws_access_key_id"] == "AKIAMIXEDCASE")
        #expect(profile["output"] == "json#not-a-comment")
        #expect(profile["credential_process"] == "/bin/tool --flag \"a b\"")
        #expect(profile.setting("region")?.location == "config:5")
    }

    @Test func indentedLinesContinueTheSettingAbove() throws {
        let file = try AWSProfileFile(parsing: """
            [default]
            s3 =
              max_concurrent_requests = 20
              addressing_style = path
            region = us-west-2
            """, path: "config", kind: .config)
        #expect(file.profiles["default"]?["s3"] == "max_concurrent_requests = 20\naddressing_style = path")
        #expect(file.profiles["default"]?["region"] == "us-west-2")
    }

    @Test func aRepeatedSectionMergesAndProfileDefaultWinsOverDefault() throws {
        let file = try AWSProfileFile(parsing: """
            [profile default]
            region = from-profile-default
            [default]
            region = from-default
            output = text
            [profile a]
            region = first
            [profile a]
            region = second
            output = json
            """, path: "config", kind: .config)
        #expect(file.profiles["default"]?["region"] == "from-profile-default")
        #expect(file.profiles["default"]?["output"] == nil)
        #expect(file.profiles["a"]?["region"] == "second")
        #expect(file.profiles["a"]?["output"] == "json")
    }

    @Test(arguments: [
        ("[default]\naws_secret_access_key wJalrs3cr3tKEY\n", 2, "expected `key = value`, a `[section]` or a comment"),
        ("aws_secret_access_key = s3cr3t\n[default]\n", 1, "setting `aws_secret_access_key` comes before any [section]"),
        ("# ok\n[default\nregion = x\n", 2, "a section header without its closing `]`"),
        ("[default] s3cr3t\n", 1, "text after a section header's `]`"),
        ("[]\n", 1, "an empty section name `[]`"),
        ("[default]\n= s3cr3t\n", 2, "a setting without a key (`= value`)"),
        ("  indented = s3cr3t\n", 1, "an indented line before any [section]"),
        ("[default]\n\n   s3cr3t\n", 3, "an indented line with no setting above it to continue"),
    ])
    func malformedLinesAreReportedWithFileAndLineButNotTheirText(text: String, line: Int, message: String) {
        #expect {
            try AWSProfileFile(parsing: text, path: "~/.aws/credentials", kind: .credentials)
        } throws: { error in
            guard let error = error as? AWSConfigFileError else { return false }
            expectNoSecret(error.description)
            return error.line == line && error.message == message
                && error.description == "~/.aws/credentials:\(line): \(message)"
        }
    }

    @Test func filesAreFoundUnderHomeOrWhereTheVariablesSay() throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials("[default]\naws_access_key_id = AKIAHOME\n")
        try home.config("[default]\nregion = eu-north-1\n")
        let files = try AWSConfigFiles(environment: home.environment())
        #expect(files.credentialsPath == "~/.aws/credentials")
        #expect(files.configPath == "~/.aws/config")
        #expect(files.profile("default")?["aws_access_key_id"] == "AKIAHOME")
        #expect(files.profile("default")?["region"] == "eu-north-1")

        let elsewhere = try home.directory.write("elsewhere/creds.ini", "[other]\naws_access_key_id = AKIAOTHER\n").path
        let moved = try AWSConfigFiles(environment: home.environment([
            "AWS_SHARED_CREDENTIALS_FILE": elsewhere, "AWS_CONFIG_FILE": "~/nowhere/config",
        ]))
        #expect(moved.credentialsPath == "~/elsewhere/creds.ini")
        #expect(moved.profileNames == ["other"])
        #expect(moved.config == nil)
        #expect(moved.configPath == "~/nowhere/config")
    }

    @Test func aMergedProfileTakesTheCredentialsFilesValueForAKeyInBoth() throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials("[dev]\nregion = from-credentials\n")
        try home.config("[profile dev]\nregion = from-config\noutput = json\n")
        let profile = try #require(try AWSConfigFiles(environment: home.environment()).profile("dev"))
        #expect(profile["region"] == "from-credentials")
        #expect(profile["output"] == "json")
        #expect(profile.setting("region")?.location == "~/.aws/credentials:2")
    }

    @Test func aMalformedFileOnDiskNamesItsDisplayPathAndLine() throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.config("[default]\nregion = us-east-1\noops s3cr3t\n")
        #expect(throws: AWSConfigFileError(file: "~/.aws/config", line: 3,
                                           message: "expected `key = value`, a `[section]` or a comment")) {
            try AWSConfigFiles(environment: home.environment())
        }
    }

    @Test func regionComesFromAWSRegionThenAWSDefaultRegionThenTheProfile() throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.config("[default]\nregion = eu-west-3\n[profile ci]\nregion = ap-south-1\n")
        #expect(try AWSRegion.resolve(environment: home.environment()) == "eu-west-3")
        #expect(try AWSRegion.resolve(environment: home.environment(["AWS_PROFILE": "ci"])) == "ap-south-1")
        #expect(try AWSRegion.resolve(environment: home.environment(["AWS_DEFAULT_REGION": "us-west-1"])) == "us-west-1")
        #expect(try AWSRegion.resolve(environment: home.environment([
            "AWS_DEFAULT_REGION": "us-west-1", "AWS_REGION": "ca-central-1",
        ])) == "ca-central-1")
        #expect(try AWSRegion.resolve(environment: home.environment(["AWS_PROFILE": "absent"])) == nil)
        #expect(try AWSRegion.resolve(environment: ["PATH": "/usr/bin"]) == nil)
    }
}
