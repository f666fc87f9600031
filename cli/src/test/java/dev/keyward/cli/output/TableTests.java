package dev.keyward.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TableTests {

    @Test
    void columnsArePaddedToTheWidestCellAndEmptyCellsShowADash() {
        StringWriter text = new StringWriter();
        new Table("ID", "NAME", "LAST USED")
                .row("tok_1", "ci", null)
                .row("tok_22", "deploy-bot", "2026-01-01T00:00:00Z")
                .print(new PrintWriter(text), Table.DEFAULT_WIDTH);

        assertThat(text.toString().lines()).containsExactly(
                "ID      NAME        LAST USED",
                "tok_1   ci          -",
                "tok_22  deploy-bot  2026-01-01T00:00:00Z");
    }

    @Test
    void aLongScopeListWrapsAfterItsCommasSoNoLineIsWiderThanTheTerminal() {
        String scopes = IntStream.range(0, 12).mapToObj(i -> "repos:team-" + i + "/*=git:read,git:write")
                .collect(Collectors.joining(" "));
        StringWriter text = new StringWriter();
        new Table("ID", "NAME", "SCOPES", "EXPIRES")
                .row("tok_7kQm2xYz", "ci", scopes, "2026-03-01T12:00:00Z")
                .row("tok_8aBc3dEf", "deploy", "org=org:read", "never")
                .print(new PrintWriter(text), 100);

        List<String> lines = text.toString().lines().toList();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
        assertThat(lines.size()).isGreaterThan(3);
        assertThat(lines.get(0)).startsWith("ID            NAME    SCOPES");
        int at = lines.get(0).indexOf("SCOPES");
        int expiresAt = lines.get(0).indexOf("EXPIRES");
        // Every piece of the scope list stands in its column; read in order, the pieces are the whole list.
        String rejoined = lines.subList(1, lines.size() - 1).stream()
                .map(l -> l.substring(at, Math.min(l.length(), expiresAt)).strip()).collect(Collectors.joining(" "));
        assertThat(rejoined.replace(", ", ",")).isEqualTo(scopes);
        assertThat(lines.get(1)).endsWith("2026-03-01T12:00:00Z");
        assertThat(lines.get(lines.size() - 1)).startsWith("tok_8aBc3dEf  deploy  org=org:read").endsWith("never");

        StringWriter narrow = new StringWriter();
        new Table("ID", "SCOPES").row("tok_1", scopes).print(new PrintWriter(narrow), 40);
        assertThat(narrow.toString().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(40));
    }

    @Test
    void aWordLongerThanItsColumnBreaksAfterAPunctuationMarkElseHard() {
        assertThat(Table.wrap("https://token.actions.githubusercontent.com", 20))
                .containsExactly("https://token.", "actions.", "githubusercontent.", "com");
        assertThat(Table.wrap("abcdefghijklmnopqrstuvwxyz", 10)).containsExactly("abcdefghij", "klmnopqrst", "uvwxyz");
        assertThat(Table.wrap("a,b,c", 20)).containsExactly("a,b,c");
    }

    @Test
    void aRowMustFillEveryColumn() {
        assertThatThrownBy(() -> new Table("A", "B").row("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
