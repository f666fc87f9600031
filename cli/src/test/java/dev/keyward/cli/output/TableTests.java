package dev.keyward.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTests {

    @Test
    void columnsArePaddedToTheWidestCellAndEmptyCellsShowADash() {
        StringWriter text = new StringWriter();
        new Table("ID", "NAME", "LAST USED")
                .row("tok_1", "ci", null)
                .row("tok_22", "deploy-bot", "2026-01-01T00:00:00Z")
                .print(new PrintWriter(text));

        assertThat(text.toString().lines()).containsExactly(
                "ID      NAME        LAST USED",
                "tok_1   ci          -",
                "tok_22  deploy-bot  2026-01-01T00:00:00Z");
    }

    @Test
    void aRowMustFillEveryColumn() {
        assertThatThrownBy(() -> new Table("A", "B").row("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
