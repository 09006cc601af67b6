/// flow's version, in one place: `flow --version`, reports (SARIF's driver version), user agents.
public enum FlowVersion {
    public static let current = "0.1.0"
}
