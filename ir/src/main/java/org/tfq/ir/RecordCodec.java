package org.tfq.ir;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every value an op holds, written as text and read back exactly, by reflection: one codec for
 * every op now and later instead of one per op. A record is its components in declaration order,
 * {@code {name=value, ...}}, rebuilt through its canonical constructor (so its checks run again);
 * a final class of final fields that one constructor takes in declaration order ({@code
 * IntSoftmax}, {@code IntLayerNorm}, {@code Lut}: derived constants with no public constructor) is
 * written the same way. Arrays and lists are {@code [a,b]}; numbers as {@link Fmt#exact}; strings
 * quoted; enums by name; shapes and element types as in the node lines; {@code null} as such. A
 * value whose declared type is an interface carries its class's simple name, as an op does.
 */
final class RecordCodec {
    private RecordCodec() {}

    /** One component (a record's) or field (a value class's): how to get it and its declared type. */
    record Part(String name, Type type, Getter getter) {
        Object get(Object owner) {
            try {
                return getter.get(owner);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + name + " of " + owner.getClass().getSimpleName(), e);
            }
        }
    }

    interface Getter {
        Object get(Object owner) throws ReflectiveOperationException;
    }

    /** How a class is taken apart and rebuilt. */
    record Layout(List<Part> parts, Constructor<?> constructor) {}

    private static final ClassValue<Layout> LAYOUTS = new ClassValue<>() {
        @Override
        protected Layout computeValue(Class<?> c) {
            return layoutOf(c);
        }
    };

    static Layout layout(Class<?> c) {
        return LAYOUTS.get(c);
    }

    private static Layout layoutOf(Class<?> c) {
        List<Part> parts = new ArrayList<>();
        List<Class<?>> types = new ArrayList<>();
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                var accessor = rc.getAccessor();
                accessor.setAccessible(true);
                parts.add(new Part(rc.getName(), rc.getGenericType(), accessor::invoke));
                types.add(rc.getType());
            }
        } else {
            // tfq's own value classes only: a JDK collection's fields are no text form
            if (!Modifier.isFinal(c.getModifiers()) || !c.getName().startsWith("org.tfq.")) {
                throw new IllegalStateException("no text form for " + c.getName() + ": neither a record nor a final class of tfq's");
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                if (!Modifier.isFinal(f.getModifiers())) throw new IllegalStateException(c.getName() + "." + f.getName() + " is not final");
                f.setAccessible(true);
                parts.add(new Part(f.getName(), f.getGenericType(), f::get));
                types.add(f.getType());
            }
        }
        try {
            Constructor<?> k = c.getDeclaredConstructor(types.toArray(Class<?>[]::new));
            k.setAccessible(true);
            return new Layout(List.copyOf(parts), k);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(c.getName() + " has no constructor taking its fields " + types + " in order", e);
        }
    }

    /** A {@code c} built from its parts; what its constructor refuses is an error of the line {@code at} reads. */
    static Object construct(Class<?> c, Object[] args, TextSyntax.Cursor at) {
        try {
            return layout(c).constructor().newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) throw at.error(c.getSimpleName() + ": " + cause.getMessage());
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ClassValue<Map<String, Class<?>>> SUBTYPES = new ClassValue<>() {
        @Override
        protected Map<String, Class<?>> computeValue(Class<?> c) {
            Map<String, Class<?>> m = new LinkedHashMap<>();
            collect(c, m);
            return m;
        }
    };

    private static void collect(Class<?> c, Map<String, Class<?>> into) {
        if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
            Class<?> other = into.putIfAbsent(c.getSimpleName(), c);
            if (other != null && other != c) throw new IllegalStateException(c + " and " + other + " share a simple name");
        }
        Class<?>[] permitted = c.getPermittedSubclasses();
        if (permitted != null) for (Class<?> p : permitted) collect(p, into);
    }

    /** The concrete class of {@code sealed} that is called {@code simpleName}. */
    static Class<?> subtype(Class<?> sealed, String simpleName, TextSyntax.Cursor at) {
        Class<?> c = SUBTYPES.get(sealed).get(simpleName);
        if (c == null) throw at.error("no " + sealed.getSimpleName() + " is called " + simpleName);
        return c;
    }

    private static boolean polymorphic(Class<?> c) {
        return c.isInterface() || Modifier.isAbstract(c.getModifiers());
    }

    static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) return c;
        if (t instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        throw new IllegalStateException("no text form for values of type " + t);
    }

    static void write(StringBuilder b, Object v, Type declared) {
        Class<?> c = raw(declared);
        if (v == null) {
            b.append("null");
        } else if (c == int.class || c == long.class || c == boolean.class || c == Integer.class || c == Long.class || c == Boolean.class) {
            b.append(v);
        } else if (c == double.class || c == Double.class) {
            b.append(Fmt.exact((Double) v));
        } else if (c == float.class || c == Float.class) {
            b.append(Fmt.exact((Float) v));
        } else if (c == String.class) {
            TextSyntax.quoted(b, (String) v);
        } else if (c.isEnum()) {
            b.append(((Enum<?>) v).name());
        } else if (c == Shape.class) {
            TextSyntax.shape(b, (Shape) v);
        } else if (ElementType.class.isAssignableFrom(c)) {
            TextSyntax.element(b, (ElementType) v);
        } else if (c.isArray()) {
            b.append('[');
            int n = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < n; i++) {
                if (i > 0) b.append(',');
                write(b, java.lang.reflect.Array.get(v, i), c.getComponentType());
            }
            b.append(']');
        } else if (c == List.class) {
            Type element = ((ParameterizedType) declared).getActualTypeArguments()[0];
            b.append('[');
            List<?> list = (List<?>) v;
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                write(b, list.get(i), element);
            }
            b.append(']');
        } else {
            if (polymorphic(c)) b.append(v.getClass().getSimpleName());
            b.append('{');
            List<Part> parts = layout(v.getClass()).parts();
            for (int i = 0; i < parts.size(); i++) {
                Part p = parts.get(i);
                if (i > 0) b.append(", ");
                b.append(p.name()).append('=');
                write(b, p.get(v), p.type());
            }
            b.append('}');
        }
    }

    static Object read(TextSyntax.Cursor in, Type declared) {
        Class<?> c = raw(declared);
        if (!c.isPrimitive() && in.accept("null")) return null;
        if (c == int.class || c == Integer.class) return in.int32();
        if (c == long.class || c == Long.class) return in.integer();
        if (c == boolean.class || c == Boolean.class) {
            if (in.accept("true")) return true;
            if (in.accept("false")) return false;
            throw in.error("expected true or false");
        }
        if (c == double.class || c == Double.class) return in.decimal();
        if (c == float.class || c == Float.class) return in.decimal32();
        if (c == String.class) return in.quoted();
        if (c.isEnum()) {
            String w = in.word();
            for (Object e : c.getEnumConstants()) if (((Enum<?>) e).name().equals(w)) return e;
            throw in.error(w + " is not one of " + Arrays.toString(c.getEnumConstants()));
        }
        if (c == Shape.class) return in.shape();
        if (ElementType.class.isAssignableFrom(c)) {
            ElementType e = in.element();
            if (!c.isInstance(e)) throw in.error("expected " + c.getSimpleName() + ", found " + e);
            return e;
        }
        if (c.isArray()) {
            List<Object> items = items(in, c.getComponentType());
            Object a = java.lang.reflect.Array.newInstance(c.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) java.lang.reflect.Array.set(a, i, items.get(i));
            return a;
        }
        if (c == List.class) {
            List<Object> items = items(in, ((ParameterizedType) declared).getActualTypeArguments()[0]);
            return items.contains(null) ? java.util.Collections.unmodifiableList(items) : List.copyOf(items);
        }
        Class<?> concrete = polymorphic(c) ? subtype(c, in.word(), in) : c;
        return readFields(in, concrete);
    }

    private static List<Object> items(TextSyntax.Cursor in, Type element) {
        in.expect("[", "a list");
        List<Object> items = new ArrayList<>();
        if (in.accept("]")) return items;
        do items.add(read(in, element));
        while (in.accept(","));
        in.expect("]", "the end of the list");
        return items;
    }

    private static Object readFields(TextSyntax.Cursor in, Class<?> c) {
        in.expect("{", c.getSimpleName());
        List<Part> parts = layout(c).parts();
        Object[] args = new Object[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) in.expect(", ", "', ' before " + parts.get(i).name() + " of " + c.getSimpleName());
            in.expect(parts.get(i).name() + "=", c.getSimpleName() + "'s");
            args[i] = read(in, parts.get(i).type());
        }
        in.expect("}", "the end of " + c.getSimpleName());
        return construct(c, args, in);
    }
}
