using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reliability.Infrastructure;

namespace Reliability.Api.Tests;

/// <summary>The service as a user runs it: its own OS process, configured only by command-line options.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<ServiceProcess> StartAsync(params string[] options) =>
        StartAsync(new Dictionary<string, string>(), options);

    /// <summary>Starts the service from another folder than its own, as <c>deploy/run.sh</c> does from the repository's root.</summary>
    public static Task<ServiceProcess> StartFromAsync(string workingDirectory, params string[] options) =>
        StartAsync(new Dictionary<string, string>(), options, workingDirectory);

    /// <summary>Starts the service with extra environment variables (a cluster node's connection string, say).</summary>
    public static Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] options) =>
        StartAsync(environment, options, AppContext.BaseDirectory);

    private static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string[] options, string workingDirectory)
    {
        // Ports are picked free and released before the service binds them; the service's embedded
        // PostgreSQL picks its own the same way and can, rarely, take the one meant for HTTP. Only
        // that collision is tried again, on fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(environment, options, workingDirectory);
            }
            catch (InvalidOperationException failed) when (attempt < 3 && failed.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<ServiceProcess> StartOnceAsync(IReadOnlyDictionary<string, string> environment, string[] options, string workingDirectory)
    {
        // Chosen together, so the three listeners never get the same port.
        var ports = LoopbackPorts.Free(3);
        var port = ports[0];
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Reliability.Api.dll"));
        string[] defaults =
        [
            "--urls", $"http://127.0.0.1:{port}",
            $"--Reliability:Orleans:SiloPort={ports[1].ToString(CultureInfo.InvariantCulture)}",
            $"--Reliability:Orleans:GatewayPort={ports[2].ToString(CultureInfo.InvariantCulture)}",
        ];
        foreach (var argument in defaults.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        // The test run's own database must not leak into a process that is meant to embed its own.
        start.Environment.Remove("ConnectionStrings__Reliability");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => service.Record(line.Data);
        process.ErrorDataReceived += (_, line) => service.Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(service._started.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != service._started.Task)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException($"The service did not start:\n{service.Output}");
        }

        return service;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Reliability is running at", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    /// <summary>Ends the process at once (SIGKILL, as <c>kill -9</c>): no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Stops the service the way a terminal's Ctrl+C or a service manager does (SIGTERM).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
