import Foundation
import Testing
@testable import FlowHTTP

/// flow's own XML reader (it replaced FoundationXML to keep libxml2 and ICU off every start).
@Suite struct XMLTreeTests {
    private func parse(_ text: String) -> XMLTree? { XMLTree.parse(Data(text.utf8)) }

    @Test func anAWSQueryResponseReadsAsATreeWithoutNamespacePrefixes() throws {
        let tree = try #require(parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment before the root -->
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:iam::123456789012:user/ci</Arn>
                <a:Account xmlns:a="urn:x">123456789012</a:Account>
                <Empty/>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId id='7'>c6104cbe</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """))
        #expect(tree.name == "GetCallerIdentityResponse")
        #expect(tree["GetCallerIdentityResult", "Account"]?.text == "123456789012")
        #expect(tree["GetCallerIdentityResult", "Arn"]?.text == "arn:aws:iam::123456789012:user/ci")
        #expect(tree["GetCallerIdentityResult", "Empty"] == XMLTree(name: "Empty"))
        #expect(tree.find("RequestId")?.text == "c6104cbe")
        #expect(tree["GetCallerIdentityResult"]?.text == "", "the layout between children is not text")
    }

    @Test func entitiesCharacterReferencesAndCDATAAreDecoded() throws {
        let tree = try #require(parse("<m>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#233;&#x1F600;<![CDATA[<raw & kept>]]>  </m>"))
        #expect(tree.text == "a <b> & \"c\" 'd' é😀<raw & kept>  ", "a leaf keeps its whitespace")
    }

    @Test func whatIsNotWellFormedIsRefused() {
        for text in [
            "", "just text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "<a/>trailing", "<a>&unknown;</a>",
            "<a>&#0;</a>", "<a x=\"1>", "<a x=1/>", "<a><!-- open</a>", "<a><![CDATA[open</a>",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300),
        ] {
            #expect(parse(text) == nil, "\(text.prefix(60))")
        }
    }

    @Test func aByteOrderMarkAndNonASCIITextAreRead() throws {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data("<Stack><Name>prod-ü</Name></Stack>".utf8))
        #expect(XMLTree.parse(data)?["Name"]?.text == "prod-ü")
    }
}
