using System.Data.Common;
using System.Globalization;
using System.Text;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Storage;

/// <summary>
/// The sandbox store over SQL, the same for SQLite and PostgreSQL but for a few words each dialect says its
/// own way (how a JSON parameter is written, how metadata is matched, how ids are compared).
/// </summary>
public abstract class SqlSandboxStore : ISandboxStore
{
    /// <summary>An open connection to the database.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A parameter as the dialect writes it in a statement (a JSON one may need a cast).</summary>
    protected virtual string Value(string parameter) => parameter;

    /// <summary>A condition that the row's metadata has key <paramref name="key"/> with value <paramref name="value"/> (both parameter names).</summary>
    protected abstract string MetadataHas(string key, string value);

    /// <summary>The id column as ordered and compared: bytewise, whatever the database's collation.</summary>
    protected virtual string Id => "id";

    /// <inheritdoc />
    public async Task InsertAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO sandboxes ({SandboxRows.Columns}) VALUES ({string.Join(", ", SandboxRows.Parameters.Select(Value))});";
        SandboxRows.Bind(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task UpdateAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var assignments = SandboxRows.Parameters.Skip(1).Select(p => $"{p[1..]} = {Value(p)}");
        command.CommandText = $"UPDATE sandboxes SET {string.Join(", ", assignments)} WHERE id = @id;";
        SandboxRows.Bind(command, record);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"sandbox record {record.Id} does not exist");
        }
    }

    /// <inheritdoc />
    public async Task<SandboxRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SandboxRows.Columns} FROM sandboxes WHERE id = @id;";
        SandboxRows.Add(command, "@id", id);
        return (await SandboxRows.ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxRecord>> ListLiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SandboxRows.Columns} FROM sandboxes WHERE state <> 'killed' ORDER BY started_at, {Id};";
        return await SandboxRows.ReadAllAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Filter(command, query, query.States);
        if (query.After is { } after)
        {
            // Order is (started_at DESC, id ASC), or the exact reverse for ascending listings.
            where.Append(query.Ascending
                ? $" AND (started_at > @after_t OR (started_at = @after_t AND {Id} < @after_id))"
                : $" AND (started_at < @after_t OR (started_at = @after_t AND {Id} > @after_id))");
            SandboxRows.Add(command, "@after_t", after.StartedAt.UtcTicks);
            SandboxRows.Add(command, "@after_id", after.SandboxId);
        }

        var order = query.Ascending ? $"started_at ASC, {Id} DESC" : $"started_at DESC, {Id} ASC";
        command.CommandText = $"SELECT {SandboxRows.Columns} FROM sandboxes WHERE {where} ORDER BY {order} LIMIT @limit;";
        SandboxRows.Add(command, "@limit", query.Limit + 1);
        var rows = await SandboxRows.ReadAllAsync(command, cancellationToken);
        if (rows.Count <= query.Limit)
        {
            return new SandboxPage(rows, null);
        }

        var page = rows.Take(query.Limit).ToList();
        var last = page[^1];
        return new SandboxPage(page, new ListCursor(last.StartedAt, last.Id, query.Ascending));
    }

    /// <inheritdoc />
    public async Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Filter(command, query, [SandboxState.Running]);
        command.CommandText = $"SELECT COUNT(*) FROM sandboxes WHERE {where};";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private StringBuilder Filter(DbCommand command, SandboxListQuery query, IReadOnlyCollection<SandboxState> states)
    {
        var where = new StringBuilder();
        var stateParameters = states.Select((s, i) =>
        {
            SandboxRows.Add(command, $"@state{i}", SandboxRows.StateName(s));
            return $"@state{i}";
        });
        where.Append(CultureInfo.InvariantCulture, $"state IN ({string.Join(", ", stateParameters)})");

        if (query.TemplateId is not null)
        {
            where.Append(" AND template_id = @template");
            SandboxRows.Add(command, "@template", query.TemplateId);
        }

        if (query.StartedAfter is { } startedAfter)
        {
            where.Append(" AND started_at >= @started_after");
            SandboxRows.Add(command, "@started_after", startedAfter.UtcTicks);
        }

        var i = 0;
        foreach (var (key, value) in query.Metadata)
        {
            where.Append(" AND ").Append(MetadataHas($"@mk{i}", $"@mv{i}"));
            SandboxRows.Add(command, $"@mk{i}", key);
            SandboxRows.Add(command, $"@mv{i}", value);
            i++;
        }

        return where;
    }
}
