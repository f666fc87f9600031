package dev.keyward.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest. */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = KeywardCommand.class.getPackage().getImplementationVersion();
        return new String[] {"keyward " + (v != null ? v : "(development build)"),
                "Java " + System.getProperty("java.version")};
    }
}
