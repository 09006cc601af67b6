import Foundation
import Testing
import FlowSteps
import FlowTestSupport

/// How a push carries a login: the auth file engines read (mode 0600 from creation), ECR's
/// token taken apart, and the registry's auth challenges read.
@Suite struct PushCredentialTests {
    @Test func theAuthFileIsCreatedMode0600WithTheLoginInBase64() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("auth.json").path
        try RegistryAuthFile.write(["127.0.0.1:5000": RegistryCredentials(username: "flow", password: "s3cr:et")], to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let auth = try #require(((object["auths"] as? [String: Any])?["127.0.0.1:5000"] as? [String: String])?["auth"])
        #expect(String(data: Data(base64Encoded: auth)!, encoding: .utf8) == "flow:s3cr:et")
        // Written again (a second tag, a retry): replaced, still 0600.
        try RegistryAuthFile.write(["h": RegistryCredentials(username: "a", password: "b")], to: path)
        #expect(((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func anECRTokenIsAWSAndItsPasswordAndNeverPrintsThePassword() throws {
        let token = Data("AWS:eyJwYXlsb2FkIjoi".utf8).base64EncodedString()
        let credentials = try #require(RegistryCredentials(base64Token: token))
        #expect(credentials.username == "AWS" && credentials.password == "eyJwYXlsb2FkIjoi")
        #expect(credentials.basic == token)
        #expect("\(credentials)" == "AWS:***")
        #expect(RegistryCredentials(base64Token: "not base64!") == nil)
    }

    @Test func challengesAreReadForBasicAndBearer() throws {
        let bearer = try #require(AuthChallenge(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#))
        #expect(bearer.scheme == "bearer")
        #expect(bearer.parameters["realm"] == "https://auth.docker.io/token")
        #expect(bearer.parameters["service"] == "registry.docker.io")
        #expect(bearer.parameters["scope"] == "repository:samalba/my-app:pull,push")
        let basic = try #require(AuthChallenge(#"Basic realm="https://123456789012.dkr.ecr.us-west-2.amazonaws.com/",service="ecr.amazonaws.com""#))
        #expect(basic.scheme == "basic" && basic.parameters["service"] == "ecr.amazonaws.com")
        #expect(AuthChallenge("")?.scheme == nil)
    }
}
