package io.launchworker.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP exchange over a plain socket, for requests Java's HttpClient will not send (a Host header of the
 * test's choosing, a malformed request line). The request asks the server to close, so the response ends at
 * end of stream. Stateless.
 */
final class RawHttp {
  /** What came back: status, headers by lower-case name, and the body as sent. */
  record Response(int status, Map<String, List<String>> headers, String body) {
    Optional<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
    }
  }

  private RawHttp() {}

  /** A GET of {@code path} with this Host header value ({@code null}: none), over HTTP/1.1. */
  static Response get(int port, String path, String host) throws IOException {
    return send(port, "GET " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
        + "Connection: close\r\n\r\n");
  }

  /** Sends these exact bytes (a whole request head) and reads the answer to the end of the stream. */
  static Response send(int port, String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parse(readAll(socket.getInputStream()));
    }
  }

  static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  static Response parse(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new AssertionError("no complete response head in: " + raw);
    }
    String[] lines = raw.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    return new Response(status, headers, raw.substring(end + 4));
  }
}
