package org.telltale.present;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A minimal test runner, since no JUnit is at hand: runs every {@link Test} method of the
 * classes named on the command line, prints each failure, then {@code N passed, N failed}, and
 * exits non-zero if anything failed.
 */
public final class TestRunner {
    private TestRunner() {}

    /** Runs the tests of the named classes (fully qualified names). */
    public static void main(String[] classNames) throws ReflectiveOperationException {
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (String name : classNames) {
            Class<?> c = Class.forName(name);
            Method[] methods = c.getDeclaredMethods();
            // Reflection order is unspecified; sort so runs are repeatable.
            Arrays.sort(methods, Comparator.comparing(Method::getName));
            for (Method m : methods) {
                if (!m.isAnnotationPresent(Test.class)) {
                    continue;
                }
                String id = c.getSimpleName() + "." + m.getName();
                try {
                    Object instance = Modifier.isStatic(m.getModifiers())
                            ? null
                            : c.getDeclaredConstructor().newInstance();
                    m.invoke(instance);
                    passed++;
                } catch (InvocationTargetException e) {
                    failures.add(id + ": " + e.getCause());
                    e.getCause().printStackTrace(System.out);
                }
            }
        }
        for (String f : failures) {
            System.out.println("FAIL " + f);
        }
        System.out.println(passed + " passed, " + failures.size() + " failed");
        if (!failures.isEmpty() || passed == 0) {
            System.exit(1);
        }
    }
}
