// A Dubbo peer for tests, with Caucho's Hessian 2 (the implementation Dubbo's hessian-lite
// is forked from).
//   java -cp hessian.jar:. DubboPeer FRAME...     reads Dubbo frames the way a Java Dubbo
//     consumer and provider do and prints what it read, one JSON line per frame; a frame it
//     cannot read ends the run with an error naming the file.
//   java -cp hessian.jar:. DubboPeer --write DIR  writes requests as a Java Dubbo consumer
//     does (RpcInvocation: five strings, the arguments, the attachments), with arguments of
//     many Java types, to DIR/0.bin, DIR/1.bin, ..., and prints, one JSON line per request,
//     its service path, version, method and attachments.
import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.Hessian2Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

public class DubboPeer {
  public static void main(String[] args) throws Exception {
    // Unknown Java classes become maps; Hessian logs a warning for each, which is noise here.
    Logger.getLogger("com.caucho").setLevel(Level.OFF);
    if (args.length == 2 && args[0].equals("--write")) {
      writeRequests(args[1]);
      return;
    }
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

  /** A Java bean as Dubbo services pass them. */
  public static class Person implements Serializable {
    String name;
    int age;
    long id;
    double score;
    boolean active;
    Date born;
    BigDecimal balance;
    List<String> tags = new ArrayList<>();
    Map<String, Object> extra = new HashMap<>();
    Person friend;
    Tier tier;
    byte[] avatar;
    int[] lucky;
  }

  /** An enum, written as a class with its name. */
  public enum Tier { GOLD, SILVER }

  static void writeRequests(String dir) throws IOException {
    Person ada = new Person();
    ada.name = "Ada";
    ada.age = 36;
    ada.id = 1L << 40;
    ada.score = 98.5;
    ada.active = true;
    ada.born = new Date(-4861728000000L);
    ada.balance = new BigDecimal("1234.50");
    for (int i = 0; i < 12; i++) ada.tags.add("tag-" + i);
    ada.extra.put("nested", new HashMap<>(Map.of("k", new ArrayList<>(List.of(1, 2, 3)))));
    ada.tier = Tier.GOLD;
    ada.lucky = new int[] {3, 7, 11, 13, 17, 19, 23, 29, 31};
    Person bob = new Person();
    bob.name = "鲍勃 😀";
    bob.friend = ada;
    ada.friend = bob; // a cycle: written once, then as a reference
    bob.avatar = new byte[5000];
    for (int i = 0; i < bob.avatar.length; i++) bob.avatar[i] = (byte) (i * 31);
    List<Object> mixed = new LinkedList<>();
    mixed.add(ada);
    mixed.add(ada); // the same object again: a reference
    mixed.add(new TreeMap<>(Map.of("b", 2, "a", 1)));
    mixed.add(new String[] {"x", "y"});
    mixed.add(null);
    StringBuilder longText = new StringBuilder();
    for (int i = 0; i < 41000; i++) longText.append((char) ('a' + i % 26));
    Map<String, String> attachments = new LinkedHashMap<>();
    attachments.put("path", "org.apache.dubbo.samples.api.GreetingService");
    attachments.put("interface", "org.apache.dubbo.samples.api.GreetingService");
    attachments.put("version", "1.0.0");
    attachments.put("group", "blue");
    attachments.put("timeout", "3000");
    Object[][] calls = {
      {"greet", "Ljava/lang/String;Lorg/apache/dubbo/samples/api/Person;", new Object[] {"hi", ada}},
      {"greetAll", "Ljava/util/List;", new Object[] {mixed}},
      {"echo", "Ljava/lang/String;", new Object[] {"你好，世界 — ünïcödé 😀"}},
      {"upload", "[BLjava/lang/String;", new Object[] {bob.avatar, longText.toString()}},
      {"sum", "[IJDZ", new Object[] {new int[] {1, 2, 3}, 1L << 50, 2.5, false}},
      {"find", "Ljava/util/Map;", new Object[] {new HashMap<>(Map.of("名字", "值", "n", 7))}},
      {"bob", "Lorg/apache/dubbo/samples/api/Person;", new Object[] {bob}},
    };
    for (int i = 0; i < calls.length; i++) {
      Map<String, String> att = new LinkedHashMap<>(attachments);
      att.put("x-call", String.valueOf(i));
      if (i % 2 == 1) att.put("用户", "张三");
      String method = (String) calls[i][0];
      byte[] frame = request(i + 1, "org.apache.dubbo.samples.api.GreetingService", "1.0.0", method,
          (String) calls[i][1], (Object[]) calls[i][2], att);
      Files.write(Paths.get(dir, i + ".bin"), frame);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("path", "org.apache.dubbo.samples.api.GreetingService");
      line.put("version", "1.0.0");
      line.put("method", method);
      line.put("attachments", att);
      System.out.println(json(line));
    }
  }

  /** A two-way request frame, as Dubbo's DubboCodec.encodeRequestData writes it. */
  static byte[] request(long id, String path, String version, String method, String types,
      Object[] args, Map<String, String> attachments) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Hessian2Output out = new Hessian2Output(body);
    out.writeString("2.0.2");
    out.writeString(path);
    out.writeString(version);
    out.writeString(method);
    out.writeString(types);
    for (Object arg : args) out.writeObject(arg);
    out.writeObject(attachments);
    out.flush();
    ByteBuffer frame = ByteBuffer.allocate(16 + body.size());
    frame.putShort((short) 0xdabb).put((byte) 0xc2).put((byte) 0).putLong(id).putInt(body.size());
    frame.put(body.toByteArray());
    return frame.array();
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
    write(b, v, new IdentityHashMap<>());
    return b.toString();
  }

  /** Writes `v` as JSON; an object met again inside itself is written as "<cycle>". */
  static void write(StringBuilder b, Object v, IdentityHashMap<Object, Boolean> open) {
    if (v != null && open.containsKey(v)) {
      b.append("\"<cycle>\"");
      return;
    }
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
      byte[] bytes = (byte[]) v;
      int sum = 0;
      for (byte x : bytes) sum = sum * 31 + x;
      b.append("{\"bytes\":").append(bytes.length).append(",\"hash\":").append(sum).append('}');
    } else if (v instanceof Enum || v instanceof BigDecimal || v instanceof Character) {
      write(b, v.toString(), open);
    } else if (v.getClass().isArray() && v.getClass().getComponentType().isPrimitive()) {
      b.append('[');
      for (int i = 0; i < Array.getLength(v); i++) {
        if (i > 0) b.append(',');
        write(b, Array.get(v, i), open);
      }
      b.append(']');
    } else if (v instanceof Map) {
      // Keys in order, so the output does not depend on the map's class.
      Map<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) sorted.put(String.valueOf(e.getKey()), e.getValue());
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) b.append(',');
        first = false;
        write(b, e.getKey(), open);
        b.append(':');
        open.put(v, true);
        write(b, e.getValue(), open);
        open.remove(v);
      }
      b.append('}');
    } else if (v instanceof Object[] || v instanceof Collection) {
      Object[] items = v instanceof Collection ? ((Collection<?>) v).toArray() : (Object[]) v;
      b.append('[');
      for (int i = 0; i < items.length; i++) {
        if (i > 0) b.append(',');
        open.put(v, true);
        write(b, items[i], open);
        open.remove(v);
      }
      b.append(']');
    } else {
      // A bean: its fields, by name.
      Map<String, Object> fields = new TreeMap<>();
      for (Class<?> c = v.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers())) continue;
          try {
            f.setAccessible(true);
            fields.put(f.getName(), f.get(v));
          } catch (ReflectiveOperationException | RuntimeException e) {
            fields.put(f.getName(), "<" + e.getClass().getSimpleName() + ">");
          }
        }
      }
      open.put(v, true);
      write(b, fields, open);
      open.remove(v);
    }
  }
}
