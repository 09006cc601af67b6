import FlowHTTP
import Testing

@Suite struct HTTPRequestTests {
    @Test func displayURLLeavesOutQueryAndUserInformation() {
        let request = HTTPRequest(url: "https://user:pw@bucket.s3.amazonaws.com/key?X-Amz-Signature=abc&X-Amz-Credential=AKIA")
        #expect(request.displayURL == "https://bucket.s3.amazonaws.com/key?…")
        #expect(HTTPRequest(url: "http://127.0.0.1:8080/health").displayURL == "http://127.0.0.1:8080/health")
    }

    @Test func idempotencyFollowsTheMethodUnlessTheRequestSays() {
        #expect(HTTPRequest(method: "GET", url: "http://x/").isIdempotent)
        #expect(HTTPRequest(method: "put", url: "http://x/").isIdempotent)
        #expect(!HTTPRequest(method: "POST", url: "http://x/").isIdempotent)
        #expect(HTTPRequest(method: "POST", url: "http://x/", idempotent: true).isIdempotent)
    }

    @Test func signingAndCredentialsNeverPrintTheSecret() {
        let signing = AWSSigning(region: "us-east-1", service: "sts", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG")
        #expect(!"\(signing)".contains("wJalr"))
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG",
                                         sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN", source: .environment)
        #expect(!"\(credentials)".contains("wJalr"))
        #expect(!"\(credentials)".contains("FwoGZ"))
    }
}
