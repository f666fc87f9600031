package dev.keyward.token.repository;

import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * One {@code INSERT} of many rows, {@code insert into T (a, b) values (?1, ?2), (?3, ?4), …}: a group's
 * rows in one statement and one round trip, where persisting entities one by one costs Hibernate's
 * per-entity work (and, for an identity id, a round trip) each.
 */
final class MultiRowInsert {

    private MultiRowInsert() {
    }

    /** Inserts {@code rows} into {@code table}; {@code values} gives a row's values in the order of {@code columns}. */
    static <T> Uni<Void> into(Uni<Mutiny.Session> session, String table, List<String> columns, List<T> rows,
                              Function<T, Object[]> values) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int width = columns.size();
        StringBuilder sql = new StringBuilder("insert into ").append(table).append(" (")
                .append(String.join(", ", columns)).append(") values ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "(" : ", (");
            for (int c = 1; c <= width; c++) {
                sql.append(c == 1 ? "?" : ", ?").append(i * width + c);
            }
            sql.append(')');
        }
        return session.flatMap(s -> {
            var insert = s.createNativeQuery(sql.toString());
            for (int i = 0; i < rows.size(); i++) {
                Object[] row = values.apply(rows.get(i));
                for (int c = 0; c < width; c++) {
                    insert.setParameter(i * width + c + 1, row[c]);
                }
            }
            return insert.executeUpdate();
        }).replaceWithVoid();
    }
}
