package dev.keyward.repo.content;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentTypesTest {

    @Test
    void typesComeFromTheFileNamesExtension() {
        assertThat(ContentTypes.of("docs/README.md")).isEqualTo("text/markdown; charset=utf-8");
        assertThat(ContentTypes.of("src/App.JAVA")).isEqualTo("text/plain; charset=utf-8");
        assertThat(ContentTypes.of("logo.png")).isEqualTo("image/png");
        assertThat(ContentTypes.of("a.b/data.json")).isEqualTo("application/json; charset=utf-8");
        assertThat(ContentTypes.of("Makefile")).isEqualTo(ContentTypes.BINARY);
        assertThat(ContentTypes.of(".gitignore")).isEqualTo(ContentTypes.BINARY);
        assertThat(ContentTypes.of("archive.unknown")).isEqualTo(ContentTypes.BINARY);
        assertThat(ContentTypes.of("trailing.")).isEqualTo(ContentTypes.BINARY);
    }
}
