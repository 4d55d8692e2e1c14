// A Dubbo peer for tests: reads Dubbo frames the way a Java Dubbo consumer and provider do,
// with Caucho's Hessian 2 (the implementation Dubbo's hessian-lite is forked from), and
// prints what it read as one JSON line per frame. Any malformed frame ends the run with an
// error naming the file. Usage: java -cp hessian.jar:. DubboPeer FRAME...
import com.caucho.hessian.io.Hessian2Input;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

public class DubboPeer {
  public static void main(String[] args) throws Exception {
    // Unknown Java classes become maps; Hessian logs a warning for each, which is noise here.
    Logger.getLogger("com.caucho").setLevel(Level.OFF);
    for (String path : args) {
      try {
        System.out.println(json(read(Files.readAllBytes(Paths.get(path)))));
      } catch (Exception e) {
        throw new IOException(path + ": " + e, e);
      }
    }
  }

  static Map<String, Object> read(byte[] f) throws IOException {
    if (f.length < 16 || (f[0] & 0xff) != 0xda || (f[1] & 0xff) != 0xbb) {
      throw new IOException("not a Dubbo frame");
    }
    int flag = f[2] & 0xff;
    int status = f[3] & 0xff;
    long id = ByteBuffer.wrap(f, 4, 8).getLong();
    int length = ByteBuffer.wrap(f, 12, 4).getInt();
    if (length != f.length - 16) {
      throw new IOException("body length " + length + ", but " + (f.length - 16) + " bytes follow");
    }
    if ((flag & 0x1f) != 2) throw new IOException("serialization " + (flag & 0x1f) + " is not Hessian 2");
    Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(f, 16, length));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("flag", flag);
    boolean request = (flag & 0x80) != 0;
    if ((flag & 0x20) != 0) {
      // An event (a heartbeat): its data, a Hessian null for heartbeats.
      out.put("event", true);
      if (!request) out.put("status", status);
      out.put("data", in.readObject());
    } else if (request) {
      // DecodeableRpcInvocation: five strings, one value per parameter, the attachments.
      out.put("dubbo", in.readString());
      out.put("path", in.readString());
      out.put("version", in.readString());
      out.put("method", in.readString());
      String types = in.readString();
      out.put("types", types);
      Object[] arguments = new Object[countTypes(types)];
      for (int i = 0; i < arguments.length; i++) arguments[i] = in.readObject();
      out.put("arguments", arguments);
      out.put("attachments", in.readObject(Map.class));
    } else if (status != 20) {
      // A failed response: Response.getErrorMessage(), read with readUTF.
      out.put("status", status);
      out.put("error", in.readString());
    } else {
      // DecodeableRpcResult: the result type, then the value or exception, then attachments.
      out.put("status", status);
      int type = in.readInt();
      out.put("type", type);
      if (type < 0 || type > 5) throw new IOException("result type " + type);
      if (type % 3 == 1) out.put("value", in.readObject());
      if (type % 3 == 0) out.put("exception", in.readObject());
      if (type >= 3) out.put("attachments", in.readObject(Map.class));
    }
    if (in.read() != -1) throw new IOException("bytes are left after the body");
    return out;
  }

  static int countTypes(String desc) throws IOException {
    int n = 0;
    for (int i = 0; i < desc.length(); i++) {
      char c = desc.charAt(i);
      if (c == '[') continue;
      if (c == 'L') {
        i = desc.indexOf(';', i);
        if (i < 0) throw new IOException("bad descriptor " + desc);
      } else if ("VZBCDFIJS".indexOf(c) < 0) {
        throw new IOException("bad descriptor " + desc);
      }
      n++;
    }
    return n;
  }

  static String json(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String) {
      b.append('"');
      String s = (String) v;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      b.append('"');
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      b.append(v);
    } else if (v instanceof Number) {
      b.append(((Number) v).doubleValue());
    } else if (v instanceof Date) {
      b.append("{\"date\":").append(((Date) v).getTime()).append('}');
    } else if (v instanceof byte[]) {
      b.append("{\"bytes\":").append(((byte[]) v).length).append('}');
    } else if (v instanceof Map) {
      // Keys in order, so the output does not depend on the map's class.
      Map<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) sorted.put(String.valueOf(e.getKey()), e.getValue());
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) b.append(',');
        first = false;
        write(b, e.getKey());
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof Object[] || v instanceof Collection) {
      Object[] items = v instanceof Collection ? ((Collection<?>) v).toArray() : (Object[]) v;
      b.append('[');
      for (int i = 0; i < items.length; i++) {
        if (i > 0) b.append(',');
        write(b, items[i]);
      }
      b.append(']');
    } else {
      write(b, v.toString());
    }
  }
}
