package io.launchworker.it;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The text constants of a class file: class names, descriptors, signatures, annotation values (a picocli
 * {@code subcommands = X.class} is stored as the descriptor {@code LX;}, which is no class reference and so invisible
 * to jdeps) and string literals (what {@code Class.forName} would be handed). Stateless.
 */
final class ClassNames {
  private static final int MAGIC = 0xCAFEBABE;

  private ClassNames() {}

  /** Every CONSTANT_Utf8 entry of the class file's constant pool, in pool order. */
  static List<String> utf8Constants(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor version
    in.readUnsignedShort(); // major version
    int count = in.readUnsignedShort();
    List<String> texts = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> texts.add(in.readUTF()); // Utf8: u2 length, modified UTF-8, as DataInput reads it
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
        case 15 -> in.skipNBytes(3); // MethodHandle
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // Integer, Float, refs, NameAndType, (Invoke)Dynamic
        case 5, 6 -> { // Long and Double take two slots
          in.skipNBytes(8);
          i++;
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
      }
    }
    return texts;
  }
}
